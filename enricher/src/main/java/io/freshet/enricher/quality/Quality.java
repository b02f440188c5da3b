package io.freshet.enricher.quality;

/**
 * The quality checks one event went through and which of them it failed, as two bit sets over
 * {@link QualityRule}: cheap enough to make for every event.
 */
public record Quality(int checked, int failed) {

    public static final Quality NONE = new Quality(0, 0);

    public Quality with(QualityRule rule, boolean passed) {
        return new Quality(checked | rule.bit(), passed ? failed : failed | rule.bit());
    }

    public boolean checked(QualityRule rule) {
        return (checked & rule.bit()) != 0;
    }

    public boolean passed(QualityRule rule) {
        return (failed & rule.bit()) == 0;
    }

    /** Failed a completeness or validity rule: counts against the tenant's circuit breaker. Lateness does not. */
    public boolean invalid() {
        return (failed & ~QualityRule.LATE_AFTER.bit()) != 0;
    }
}

package io.freshet.enricher.quality;

import java.util.List;

/** The data-quality checks the enricher makes, each under the dimension it measures. */
public enum QualityRule {
    /** The event type is one the tenant allows. */
    ALLOWED_TYPES("validity"),
    /** The event carries every property its type requires. */
    REQUIRED("completeness"),
    /** Each property with a rule has the rule's JSON type. */
    TYPE("validity"),
    /** Each numeric property with a range is inside it. */
    RANGE("validity"),
    /** Each string property with a maximum length fits it. */
    MAX_LENGTH("validity"),
    /** The event reached the pipeline within the late-after grace period. */
    LATE_AFTER("timeliness");

    /** All rules, without the copy {@code values()} makes on every call. */
    public static final List<QualityRule> ALL = List.of(values());

    private final String dimension;
    private final String label = name().toLowerCase();

    QualityRule(String dimension) {
        this.dimension = dimension;
    }

    public String dimension() {
        return dimension;
    }

    public String label() {
        return label;
    }

    int bit() {
        return 1 << ordinal();
    }
}

package io.freshet.enricher.stream;

import io.freshet.enricher.quality.Quality;
import io.freshet.enricher.quality.QualityRule;
import io.freshet.enricher.quality.TenantCircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What one batch did, by tenant: outcomes, quality checks, the circuit breaker's counts, and the received times
 * of what it wrote. Published only once the batch committed, so the metrics count committed work only.
 */
final class BatchTally {

    private final Map<List<String>, Integer> outcomes = new HashMap<>();
    private final Map<List<Object>, Integer> checks = new HashMap<>();
    private final Map<String, TenantCircuitBreaker.Counts> breakerCounts = new HashMap<>();
    private final Set<String> awaitedTenants = new HashSet<>();
    private long[] receivedAt = new long[256];
    private int written;

    void outcome(String tenant, String outcome) {
        outcomes.merge(List.of(tenant, outcome), 1, Integer::sum);
    }

    /** The event's checks; failing a validity or completeness rule counts against the tenant's breaker. */
    void quality(String tenant, Quality quality) {
        if (quality.checked() == 0) {
            return;
        }
        for (QualityRule rule : QualityRule.ALL) {
            if (quality.checked(rule)) {
                checks.merge(List.of(tenant, rule, quality.passed(rule)), 1, Integer::sum);
            }
        }
        breakerCounts.computeIfAbsent(tenant, t -> new TenantCircuitBreaker.Counts()).add(quality.invalid());
    }

    void written(long receivedAtMillis) {
        if (written == receivedAt.length) {
            receivedAt = Arrays.copyOf(receivedAt, written * 2);
        }
        receivedAt[written++] = receivedAtMillis;
    }

    /** True the first time in this batch: an unknown tenant is waited for once per batch. */
    boolean firstWaitFor(String tenant) {
        return awaitedTenants.add(tenant);
    }

    Map<String, TenantCircuitBreaker.Counts> breakerCounts() {
        return breakerCounts;
    }

    void publish(MeterRegistry meters, Timer freshness, long committedAtMillis) {
        outcomes.forEach((key, n) -> meters.counter("freshet.enricher.events", "tenant", key.get(0),
                "outcome", key.get(1)).increment(n));
        checks.forEach((key, n) -> {
            QualityRule rule = (QualityRule) key.get(1);
            meters.counter("freshet.enricher.quality.checks", "tenant", (String) key.get(0), "dimension", rule.dimension(),
                    "rule", rule.label(), "result", (Boolean) key.get(2) ? "pass" : "fail").increment(n);
        });
        for (int i = 0; i < written; i++) {
            freshness.record(Math.max(0, committedAtMillis - receivedAt[i]), TimeUnit.MILLISECONDS);
        }
    }
}

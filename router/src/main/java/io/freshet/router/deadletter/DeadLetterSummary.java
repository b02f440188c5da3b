package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the DLQ holds of a filter's letters: how many, by stage and reason and by tenant (most first; letters without
 * one under {@value #NO_TENANT}), the newest few letters of each stage and reason, and records that were no letter.
 */
@RegisterForReflection // a Response entity, unseen by Quarkus: native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeadLetterSummary(DeadLetterFilter filter, long total, Map<String, Map<String, Long>> byStage,
                                Map<String, Long> byTenant, List<LetterSample> samples, long unreadable) {

    /** Not a tenant id, so it names no tenant. */
    public static final String NO_TENANT = "(none)";
    static final int SAMPLES_PER_KIND = 3;

    /** Counts letters as they are read. */
    public static final class Tally {
        private final DeadLetterFilter filter;
        private long total;
        private final Map<String, Map<String, Long>> byStage = new TreeMap<>();
        private final Map<String, Long> byTenant = new HashMap<>();
        private final Map<String, List<FoundLetter>> newest = new HashMap<>();

        public Tally(DeadLetterFilter filter) {
            this.filter = filter;
        }

        /** Counts the letter if the filter takes it. */
        public void add(FoundLetter found) {
            if (!filter.matches(found)) {
                return;
            }
            total++;
            String stage = String.valueOf(found.letter().stage());
            byStage.computeIfAbsent(stage, s -> new TreeMap<>()).merge(found.reason(), 1L, Long::sum);
            String tenant = found.letter().tenantId() == null ? NO_TENANT : found.letter().tenantId();
            byTenant.merge(tenant, 1L, Long::sum);
            List<FoundLetter> kind = newest.computeIfAbsent(stage + "/" + found.reason(), k -> new ArrayList<>());
            kind.add(found);
            if (kind.size() > SAMPLES_PER_KIND) {
                kind.sort(NEWEST_FIRST);
                kind.removeLast();
            }
        }

        public DeadLetterSummary summary(long unreadable) {
            Map<String, Long> tenants = new LinkedHashMap<>();
            byTenant.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> tenants.put(e.getKey(), e.getValue()));
            List<LetterSample> samples = newest.values().stream().flatMap(List::stream).sorted(NEWEST_FIRST)
                    .map(LetterSample::of).toList();
            return new DeadLetterSummary(filter, total, byStage, tenants, samples, unreadable);
        }
    }

    private static final Comparator<FoundLetter> NEWEST_FIRST = Comparator.comparing(
            (FoundLetter found) -> found.letter().failedAt(), Comparator.nullsFirst(Comparator.<Instant>naturalOrder())).reversed();
}

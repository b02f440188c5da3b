package io.freshet.router.deadletter;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterSummaryTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void countsByStageReasonAndTenantWithTheNewestOfEachKind() {
        var tally = new DeadLetterSummary.Tally(DeadLetterFilter.of(null, null, null));
        for (int i = 0; i < 5; i++) {
            tally.add(Letters.enricher("acme", "rule_violation", "{}", T.plusSeconds(i), i));
        }
        tally.add(Letters.enricher("beta", "tenant_paused", "{}", T, 10));
        tally.add(Letters.enricher(null, "invalid_event", "x".repeat(600), T.minusSeconds(60), 11));
        tally.add(Letters.router("beta", "{}", T.plusSeconds(30), 12));

        DeadLetterSummary summary = tally.summary(2);
        assertEquals(8, summary.total());
        assertEquals(Map.of("enricher", Map.of("rule_violation", 5L, "tenant_paused", 1L, "invalid_event", 1L),
                "router", Map.of("row_refused", 1L)), summary.byStage());
        assertEquals(List.of("acme", "beta", "(none)"), List.copyOf(summary.byTenant().keySet()), "most letters first");
        assertEquals(List.of(5L, 2L, 1L), List.copyOf(summary.byTenant().values()));
        assertEquals(2, summary.unreadable());

        assertEquals(List.of(12L, 4L, 3L, 2L, 10L, 11L), summary.samples().stream().map(LetterSample::dlqOffset).toList(),
                "up to three of each stage and reason, newest first");
        LetterSample cut = summary.samples().getLast();
        assertEquals(LetterSample.MAX_TEXT + 1, cut.payload().length());
        assertTrue(cut.payload().endsWith("…"));
        assertEquals("rule_violation", summary.samples().get(1).reason());
        assertEquals(2, summary.samples().get(1).sourcePartition());
    }

    @Test
    void onlyTheFiltersLettersCount() {
        var tally = new DeadLetterSummary.Tally(DeadLetterFilter.of("beta", null, "row_refused"));
        tally.add(Letters.enricher("beta", "tenant_paused", "{}", T, 1));
        tally.add(Letters.router("acme", "{}", T, 2));
        tally.add(Letters.router("beta", "{}", T, 3));
        DeadLetterSummary summary = tally.summary(0);
        assertEquals(1, summary.total());
        assertEquals(Map.of("beta", 1L), summary.byTenant());
        assertEquals(3, summary.samples().getFirst().dlqOffset());
    }
}

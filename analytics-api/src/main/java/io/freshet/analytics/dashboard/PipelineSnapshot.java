package io.freshet.analytics.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the live dashboard shows at one moment, from the services' own metrics and ClickHouse: events in by source
 * (http: the gateway; mqtt and postgres: the sources service), totals since each service started, rates over the last interval, freshness over the last seconds, lag, dead letters, schema errors
 * (failed validity and completeness checks: a wrong type, a value out of range, a missing property), rows per sink,
 * events per type in the last minute, and the latest stored events (of every tenant: this is the operator's view).
 */
public record PipelineSnapshot(Instant at, Map<String, Boolean> up, Map<String, Stage> inBySource, Stage ingested, Stage enriched, Stage stored,
                               long deadLetters, long schemaErrors, long lag, Double freshnessP50Ms, Double freshnessP95Ms,
                               Map<String, Long> rowsBySink, List<TypeCount> lastMinuteByType, List<LatestEvent> latest) {

    /** A stage's events since its service started, and per second over the last interval. */
    public record Stage(long total, double perSecond) {
    }

    public record TypeCount(String type, long events) {
    }

    public record LatestEvent(String tenantId, String type, Instant receivedAt) {
    }
}

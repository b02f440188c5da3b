package io.freshet.router.stream;

import io.freshet.router.sink.SinkTable;

import java.util.List;

/**
 * The router's ways into ClickHouse, each a channel of its own: live (the real-time events and billing) and late
 * (events sent long after they happened), so a backlog of history never delays the live data.
 *
 * @param channel  its incoming channel (configured in application.properties: topics, group, consumer settings)
 * @param group    the channel's consumer group, whose committed offsets say what the lane stored
 * @param tables   the topics it reads, by the table each goes to
 */
public record SinkLane(String channel, String group, String freshnessMetric, List<SinkTable> tables) {

    public static final SinkLane LIVE = new SinkLane(LiveSink.CHANNEL, "freshet-router",
            "freshet.pipeline.freshness", List.of(SinkTable.EVENTS, SinkTable.BILLING_USAGE));
    public static final SinkLane LATE = new SinkLane(LateSink.CHANNEL, "freshet-router-late",
            "freshet.pipeline.late.freshness", List.of(SinkTable.LATE_EVENTS));

    /** The lane's topic of events (the other carries billing usage). */
    public SinkTable eventTable() {
        return tables.getFirst();
    }

    /** As the metrics tag it. */
    String tag() {
        return this == LIVE ? "live" : "late";
    }
}

package io.freshet.router.stream;

import io.freshet.router.sink.SinkTable;

import java.util.List;

/**
 * The router's ways into ClickHouse, each with a consumer of its own: live (the real-time events and billing) and
 * late (events sent long after they happened), so a backlog of history never delays the live data.
 *
 * @param group    the consumer group whose committed offsets say what the lane stored
 * @param member   the prefix of its static member id (then the instance id)
 * @param tables   the topics it reads, by the table each goes to
 */
public record SinkLane(String name, String group, String member, String freshnessMetric, List<SinkTable> tables) {

    public static final SinkLane LIVE = new SinkLane("routing loop", "freshet-router", "router-",
            "freshet.pipeline.freshness", List.of(SinkTable.EVENTS, SinkTable.BILLING_USAGE));
    public static final SinkLane LATE = new SinkLane("late routing loop", "freshet-router-late", "router-late-",
            "freshet.pipeline.late.freshness", List.of(SinkTable.LATE_EVENTS));

    /** The lane's topic of events (the other carries billing usage). */
    public SinkTable eventTable() {
        return tables.getFirst();
    }

    List<String> topics() {
        return tables.stream().map(SinkTable::topic).toList();
    }

    /** As the metrics tag it. */
    String tag() {
        return this == LIVE ? "live" : "late";
    }
}

package io.freshet.eventmodel.topic;

import java.util.List;

/**
 * Every Kafka topic of the pipeline, with the partition counts it is created with. Topics are never
 * auto-created: {@link TopicProvisioner} creates the missing ones at start.
 */
public final class Topics {

    public static final String RAW = "freshet.events.raw";
    public static final String ENRICHED = "freshet.events.enriched";
    public static final String DLQ = "freshet.events.dlq";
    public static final String LATE = "freshet.events.late";
    public static final String ALERTS = "freshet.alerts";
    public static final String BILLING_USAGE = "freshet.billing.usage";
    public static final String TENANTS = "freshet.tenants";
    /** The enricher's derived sessions per user, written in its transactions; partition n belongs to raw's n. */
    public static final String ENRICHER_SESSIONS = "freshet.enricher.sessions";
    /**
     * The event ids the enricher passed on within its dedup window, a record per batch and partition, written in its
     * transactions; partition n belongs to raw's n. Deleted past the window (the enricher sets the retention).
     */
    public static final String ENRICHER_EVENT_IDS = "freshet.enricher.event-ids";

    /**
     * The event ids the sources service gave to MQTT messages, by broker session and packet id, written before the
     * events: a message the broker sends again after a crash gets its first id back.
     */
    public static final String SOURCES_MQTT_DELIVERIES = "freshet.sources.mqtt-deliveries";
    /** The positions the sources service read its tenants' databases to (Kafka Connect's offset store, via Debezium). */
    public static final String SOURCES_DATABASE_OFFSETS = "freshet.sources.database-offsets";

    /** Partitions bound the parallelism of a consumer group; 6 lets up to 6 instances share a stage. */
    public static final int RAW_PARTITIONS = 6;

    public static final List<TopicSpec> ALL = List.of(
            TopicSpec.stream(RAW, RAW_PARTITIONS),
            TopicSpec.stream(ENRICHED, 6),
            TopicSpec.stream(DLQ, 3),
            TopicSpec.stream(LATE, 3),
            TopicSpec.stream(ALERTS, 1),
            TopicSpec.stream(BILLING_USAGE, 3),
            TopicSpec.compacted(TENANTS, 1),
            TopicSpec.compacted(ENRICHER_SESSIONS, RAW_PARTITIONS),
            TopicSpec.stream(ENRICHER_EVENT_IDS, RAW_PARTITIONS),
            TopicSpec.compacted(SOURCES_MQTT_DELIVERIES, 1),
            TopicSpec.compacted(SOURCES_DATABASE_OFFSETS, 1));

    private Topics() {
    }
}

package io.freshet.router.sink;

import io.freshet.eventmodel.record.EnrichedEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code freshet.events}; the ClickHouse client maps getters to columns by name. */
public class EventRow {

    private final EnrichedEvent event;
    private final String sourceTopic;
    private final int sourcePartition;
    private final long sourceOffset;

    public EventRow(ConsumerRecord<String, EnrichedEvent> record) {
        this.event = record.value();
        this.sourceTopic = record.topic();
        this.sourcePartition = record.partition();
        this.sourceOffset = record.offset();
    }

    public String getTenantId() {
        return event.getTenantId();
    }

    public UUID getEventId() {
        return UUID.fromString(event.getEventId());
    }

    public String getType() {
        return event.getType();
    }

    public Instant getEventTime() {
        return event.getEventTime();
    }

    public Instant getReceivedAt() {
        return event.getReceivedAt();
    }

    public String getUserId() {
        return event.getUserId() == null ? "" : event.getUserId();
    }

    public String getSessionId() {
        return event.getSessionId() == null ? "" : event.getSessionId();
    }

    public String getProperties() {
        return event.getProperties();
    }

    public long getIngestLagMs() {
        return event.getIngestLagMs();
    }

    public long getRulesVersion() {
        return event.getRulesVersion();
    }

    public int getSchemaVersion() {
        return event.getSchemaVersion();
    }

    public String getSourceTopic() {
        return sourceTopic;
    }

    public int getSourcePartition() {
        return sourcePartition;
    }

    public long getSourceOffset() {
        return sourceOffset;
    }
}

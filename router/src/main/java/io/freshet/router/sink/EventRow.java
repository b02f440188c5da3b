package io.freshet.router.sink;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Topics;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** One row of {@code freshet.events}; the ClickHouse client maps getters to columns by name. */
@RegisterForReflection // the ClickHouse client finds the getters reflectively: native keeps them
public class EventRow {

    private final EnrichedEvent event;
    private final String sourceTopic;
    private final int sourcePartition;
    private final long sourceOffset;

    EventRow(ConsumerRecord<String, SpecificRecord> record) {
        this.event = (EnrichedEvent) record.value();
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
        return orEmpty(event.getUserId());
    }

    public String getSessionId() {
        return orEmpty(event.getSessionId());
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

    public boolean getSessionDerived() {
        return event.getSessionDerived();
    }

    public String getBrowser() {
        return orEmpty(event.getBrowser());
    }

    public String getBrowserVersion() {
        return orEmpty(event.getBrowserVersion());
    }

    public String getOs() {
        return orEmpty(event.getOs());
    }

    public String getOsVersion() {
        return orEmpty(event.getOsVersion());
    }

    public String getDeviceClass() {
        return orEmpty(event.getDeviceClass());
    }

    public Map<String, String> getTags() {
        return event.getTags();
    }

    public boolean getLate() {
        return Topics.LATE.equals(sourceTopic);
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

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}

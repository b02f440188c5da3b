package io.freshet.enricher.processing;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;

/**
 * Turns one raw JSON event into an {@link EnrichedEvent}. A pure function of the record and the tenant's
 * state, so a transaction retried after a crash produces the same output.
 */
@ApplicationScoped
public class EventEnricher {

    private final ObjectMapper json;
    private final TenantRegistry tenants;
    private final Duration lateAfter;

    public EventEnricher(ObjectMapper json, TenantRegistry tenants,
                         @ConfigProperty(name = "freshet.enricher.late-after") Duration lateAfter) {
        this.json = json;
        this.tenants = tenants;
        this.lateAfter = lateAfter;
    }

    /**
     * @throws InvalidRawEventException the record is not a raw event; retrying cannot help
     * @throws UnknownTenantException   the tenant is not (yet) known here
     */
    public Enrichment enrich(ConsumerRecord<String, String> record) throws InvalidRawEventException {
        RawEvent raw = read(record.value());
        Tenant tenant = tenants.find(raw.tenantId()).orElseThrow(() -> new UnknownTenantException(raw.tenantId()));
        Instant eventTime = raw.timestamp() != null ? raw.timestamp() : raw.receivedAt();
        Duration lag = Duration.between(eventTime, raw.receivedAt());
        EnrichedEvent enriched = EnrichedEvent.newBuilder()
                .setTenantId(tenant.id())
                .setEventId(raw.eventId())
                .setType(raw.type())
                .setEventTime(eventTime)
                .setReceivedAt(raw.receivedAt())
                .setUserId(raw.userId())
                .setSessionId(raw.sessionId())
                .setProperties(raw.properties() == null ? "{}" : raw.properties().toString())
                .setIngestLagMs(lag.toMillis())
                .setRulesVersion(tenant.rulesVersion())
                .setRawPartition(record.partition())
                .setRawOffset(record.offset())
                .build();
        // late by how long the client held the event, not by when we process it: a replay routes alike
        return new Enrichment(lag.compareTo(lateAfter) > 0 ? Topics.LATE : Topics.ENRICHED, enriched);
    }

    /** The tenant a record claims, when it is readable enough to tell; for dead letters. */
    public String tenantOf(String value) {
        try {
            return json.readTree(value).path("tenant_id").textValue();
        } catch (JacksonException | RuntimeException e) {
            return null;
        }
    }

    private RawEvent read(String value) throws InvalidRawEventException {
        if (value == null) {
            throw new InvalidRawEventException("The record has no value", null);
        }
        RawEvent raw;
        try {
            raw = json.readValue(value, RawEvent.class);
        } catch (JacksonException e) {
            throw new InvalidRawEventException("Not a raw event: " + e.getOriginalMessage(), e);
        }
        if (raw.tenantId() == null || raw.eventId() == null || raw.type() == null || raw.receivedAt() == null) {
            throw new InvalidRawEventException("A raw event needs tenant_id, event_id, type and received_at", null);
        }
        return raw;
    }
}

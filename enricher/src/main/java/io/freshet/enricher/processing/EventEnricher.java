package io.freshet.enricher.processing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Channels;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns each raw JSON event into an {@link EnrichedEvent}. A record that cannot be read, or whose
 * tenant does not exist, is rejected and the failure strategy moves it to the DLQ with the reason.
 * The raw offset is committed only after the enriched record is acknowledged (at least once).
 */
@ApplicationScoped
public class EventEnricher {

    private final ObjectMapper json;
    private final TenantRegistry tenants;
    private final MeterRegistry meters;

    public EventEnricher(ObjectMapper json, TenantRegistry tenants, MeterRegistry meters) {
        this.json = json;
        this.tenants = tenants;
        this.meters = meters;
    }

    @Incoming(Channels.RAW)
    @Outgoing(Channels.ENRICHED)
    public Record<String, EnrichedEvent> enrich(ConsumerRecord<String, String> record) throws IOException {
        RawEvent raw = json.readValue(record.value(), RawEvent.class);
        Tenant tenant = tenants.find(raw.tenantId())
                .orElseThrow(() -> new UnknownTenantException(raw.tenantId()));
        Instant eventTime = raw.timestamp() != null ? raw.timestamp() : raw.receivedAt();
        EnrichedEvent enriched = EnrichedEvent.newBuilder()
                .setTenantId(tenant.id())
                .setEventId(raw.eventId())
                .setType(raw.type())
                .setEventTime(eventTime)
                .setReceivedAt(raw.receivedAt())
                .setUserId(raw.userId())
                .setSessionId(raw.sessionId())
                .setProperties(raw.properties() == null ? "{}" : raw.properties().toString())
                .setIngestLagMs(Duration.between(eventTime, raw.receivedAt()).toMillis())
                .setRulesVersion(tenant.rulesVersion())
                .setRawPartition(record.partition())
                .setRawOffset(record.offset())
                .build();
        meters.counter("freshet.enricher.events", "tenant", tenant.id(), "outcome", "enriched").increment();
        return Record.of(record.key(), enriched);
    }
}

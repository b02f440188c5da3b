package io.freshet.eventmodel.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.eventmodel.trace.EventTracing;
import io.opentelemetry.api.trace.Span;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Accepted events as freshet.events.raw records: JSON, keyed by tenant and user (one user's events stay in order), with
 * the offset of the tenants record by which this gateway knew the tenant ({@link TenantRegistry#OFFSET_HEADER}) and
 * the trace context of each event's send span.
 */
@ApplicationScoped
public class RawRecords {

    private final ObjectWriter json;
    private final EventTracing tracing;
    private final TenantRegistry tenants;

    public RawRecords(ObjectMapper json, EventTracing tracing, TenantRegistry tenants) {
        this.json = json.writerFor(RawEvent.class);
        this.tracing = tracing;
        this.tenants = tenants;
    }

    /** One record per event; each event's send span (child of the request's) is added to {@code spans}, to end at the commit. */
    public List<ProducerRecord<String, byte[]>> of(List<RawEvent> events, List<Span> spans) {
        var records = new ArrayList<ProducerRecord<String, byte[]>>(events.size());
        try {
            for (RawEvent event : events) {
                var record = new ProducerRecord<>(Topics.RAW, event.partitionKey(), json.writeValueAsBytes(event));
                tenants.offsetOf(event.tenantId()).ifPresent(offset -> record.headers()
                        .add(TenantRegistry.OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8)));
                spans.add(tracing.send(Topics.RAW, record.headers(), event.tenantId(), event.type(), event.eventId()));
                records.add(record);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated event always serializes", e);
        }
        return records;
    }
}

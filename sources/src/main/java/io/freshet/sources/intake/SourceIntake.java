package io.freshet.sources.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.eventmodel.event.EventError;
import io.freshet.eventmodel.event.EventValidator;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.event.RawRecords;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What every source does with the events it read: the gateway's validation, then freshet.events.raw for the good ones
 * and freshet.events.dlq (with the reason) for the others, so everything downstream is as for HTTP. The write is
 * complete when Kafka acknowledged every record (acks=all, idempotent producer); only then may a source let go of what
 * it read (acknowledge the MQTT message, commit the database position). A source that reads again after a crash sets
 * the same {@code event_id}s, and the enricher passes each on once.
 */
@ApplicationScoped
public class SourceIntake {

    /** The channel whose producer writes raw events and dead letters (application.properties). */
    public static final String CHANNEL = "source-records";
    static final String STAGE = "sources";

    private final EventValidator validator;
    private final RawRecords rawRecords;
    private final TenantRegistry tenants;
    private final ObjectMapper json;
    private final KafkaClientService kafka;
    private final MeterRegistry meters;

    public SourceIntake(EventValidator validator, RawRecords rawRecords, TenantRegistry tenants, ObjectMapper json,
                        KafkaClientService kafka, MeterRegistry meters,
                        // declares the channel, whose producer the extension then makes; records go through the producer
                        @Channel(CHANNEL) MutinyEmitter<byte[]> declared) {
        this.validator = validator;
        this.rawRecords = rawRecords;
        this.tenants = tenants;
        this.json = json;
        this.kafka = kafka;
        this.meters = meters;
    }

    /** Validates and writes the events of one source; the Uni completes once Kafka has every record. */
    public Uni<Void> write(String source, List<SourceEvent> events) {
        List<Span> spans = new ArrayList<>();
        return send(records(source, events, spans))
                .invoke(() -> spans.forEach(Span::end))
                .onFailure().invoke(() -> spans.forEach(Span::end));
    }

    /** Writes records as they are (a source's own bookkeeping before its events); completes once Kafka has them all. */
    public Uni<Void> send(List<ProducerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        KafkaProducer<String, byte[]> producer = kafka.getProducer(CHANNEL);
        List<Uni<RecordMetadata>> sends = new ArrayList<>(records.size());
        records.forEach(record -> sends.add(producer.send(record)));
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    /** The raw records of the valid events and the dead letters of the others; each event's send span goes to {@code spans}. */
    private List<ProducerRecord<String, byte[]>> records(String source, List<SourceEvent> events, List<Span> spans) {
        Instant receivedAt = Instant.now();
        List<RawEvent> accepted = new ArrayList<>(events.size());
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (SourceEvent event : events) {
            if (event.tenantId() == null || tenants.find(event.tenantId()).isEmpty()) {
                deadLetters.add(deadLetter(event, DeadLetterReason.UNKNOWN_TENANT, "unknown_tenant",
                        event.tenantId() == null ? event.problem() : "No tenant '" + event.tenantId() + "'"));
            } else if (event.event() == null) {
                deadLetters.add(deadLetter(event, DeadLetterReason.INVALID_EVENT, "unreadable", event.problem()));
            } else {
                EventValidator.Result result = validator.validate(List.of(event.event()), event.tenantId(), receivedAt, null);
                accepted.addAll(result.accepted());
                for (EventError error : result.errors()) {
                    deadLetters.add(deadLetter(event, DeadLetterReason.INVALID_EVENT, error.code(), error.message()));
                }
            }
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(rawRecords.of(accepted, spans));
        for (DeadLetter deadLetter : deadLetters) {
            count(source, Objects.requireNonNullElse(deadLetter.tenantId(), ""), "dead_lettered", 1);
            // keyed by tenant, or by where it came from when the tenant is not known
            records.add(deadLetter.toRecord(Objects.requireNonNullElse(deadLetter.tenantId(), deadLetter.sourceTopic()), json));
        }
        // the accepted ones, the bulk: one counter update per tenant, not per event
        accepted.stream().collect(Collectors.groupingBy(RawEvent::tenantId, Collectors.counting()))
                .forEach((tenantId, count) -> count(source, tenantId, "accepted", count));
        return records;
    }

    private static DeadLetter deadLetter(SourceEvent event, DeadLetterReason reason, String code, String message) {
        return new DeadLetter(event.payload(), event.tenantId(), STAGE, reason.code(), code, message, 1, event.origin(),
                -1, -1, Instant.now());
    }

    /** Events by source (mqtt, postgres), tenant and outcome: what the dashboard's "events in by source" shows. */
    private void count(String source, String tenantId, String outcome, long events) {
        meters.counter("freshet.sources.events", "source", source, "tenant", tenantId, "outcome", outcome).increment(events);
    }
}

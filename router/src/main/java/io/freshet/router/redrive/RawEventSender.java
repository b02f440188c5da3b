package io.freshet.router.redrive;

import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sends redriven events back to freshet.events.raw as the gateway wrote them: the payload unchanged, keyed by
 * {@link io.freshet.eventmodel.event.RawEvent#partitionKey()} (so to the partition the enricher's dedup keeps the
 * event's id in), acks=all, idempotent.
 */
@ApplicationScoped
public class RawEventSender {

    /** The redrive's id, on each record it sends back. */
    static final String REDRIVE_HEADER = "freshet-redrive";

    /** freshet.events.raw (application.properties). */
    static final String CHANNEL = "redriven-events";

    private final TenantRegistry tenants;
    private final MutinyEmitter<ProducerRecord<String, String>> events;

    public RawEventSender(TenantRegistry tenants,
                          // a block of letters is awaited together: the caller bounds what is buffered
                          @Channel(CHANNEL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                          MutinyEmitter<ProducerRecord<String, String>> events) {
        this.tenants = tenants;
        this.events = events;
    }

    /** Returns once Kafka holds every one; throws if it does not. */
    void send(String redriveId, List<RedrivenEvent> redriven) {
        if (redriven.isEmpty()) {
            return;
        }
        Uni.join().all(redriven.stream().map(event -> events.send(record(redriveId, event))).toList()).andFailFast()
                .await().indefinitely();
    }

    private ProducerRecord<String, String> record(String redriveId, RedrivenEvent redriven) {
        var record = new ProducerRecord<>(Topics.RAW, redriven.event().partitionKey(), redriven.payload());
        record.headers().add(REDRIVE_HEADER, redriveId.getBytes(StandardCharsets.UTF_8));
        // as the gateway does: an enricher whose registry is behind this router's waits for it, instead of calling
        // the tenant unknown
        tenants.offsetOf(redriven.event().tenantId()).ifPresent(offset -> record.headers()
                .add(TenantRegistry.OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8)));
        return record;
    }
}

package io.freshet.router.redrive;

import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Sends redriven events back to freshet.events.raw as the gateway wrote them: the payload unchanged, keyed by
 * {@link io.freshet.eventmodel.event.RawEvent#partitionKey()} (so to the partition the enricher's dedup keeps the
 * event's id in), acks=all, idempotent.
 */
@ApplicationScoped
public class RawEventSender {

    /** The redrive's id, on each record it sends back. */
    static final String REDRIVE_HEADER = "freshet-redrive";

    private final TenantRegistry tenants;
    private final KafkaProducer<String, String> producer;

    public RawEventSender(KafkaConnection kafka, TenantRegistry tenants) {
        this.tenants = tenants;
        this.producer = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "router-redrive",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)), new StringSerializer(), new StringSerializer());
    }

    /** Returns once Kafka holds every one; throws if it does not. */
    void send(String redriveId, List<RedrivenEvent> events) throws ExecutionException, InterruptedException {
        List<Future<RecordMetadata>> acks = events.stream().map(event -> producer.send(record(redriveId, event))).toList();
        for (Future<RecordMetadata> ack : acks) {
            ack.get();
        }
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

    @PreDestroy
    void close() {
        producer.close();
    }
}

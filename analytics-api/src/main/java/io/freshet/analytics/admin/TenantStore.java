package io.freshet.analytics.admin;

import io.freshet.eventmodel.kafka.KafkaConnection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes tenant changes to the compacted topic freshet.tenants and waits until this instance's
 * {@link TenantRegistry} has read them back, so a caller can use a new key as soon as it gets it.
 */
@ApplicationScoped
public class TenantStore {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaProducer<String, String> producer;
    private final TenantRegistry registry;
    private final ObjectMapper json;

    public TenantStore(KafkaConnection kafka, TenantRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
        this.producer = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "tenant-admin",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, WRITE_TIMEOUT.toMillis())),
                new StringSerializer(), new StringSerializer());
    }

    /** Stores the tenant and returns once the registry reflects it. */
    public synchronized void save(Tenant tenant) {
        try {
            RecordMetadata written = producer.send(new ProducerRecord<>(Topics.TENANTS, tenant.id(),
                    json.writeValueAsString(tenant))).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!registry.awaitApplied(written.partition(), written.offset(), WRITE_TIMEOUT)) {
                throw new TenantStoreUnavailableException("the tenant was stored but not yet visible");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new TenantStoreUnavailableException("Kafka did not take the write: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantStoreUnavailableException("interrupted");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tenant always serializes", e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.kafka.TopicReaders;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The tenants of the pipeline, materialized from the compacted topic freshet.tenants. Every instance
 * reads the whole topic (no consumer group) and keeps following it, so a new tenant or a rotated key
 * takes effect everywhere within moments and without a restart.
 */
@ApplicationScoped
public class TenantRegistry {

    private static final Logger LOG = Logger.getLogger(TenantRegistry.class);
    /**
     * The header on a raw record with the offset of the tenants record by which the gateway knew the record's
     * tenant: a reader whose registry is behind waits until it has applied that much, instead of calling it unknown.
     */
    public static final String OFFSET_HEADER = "freshet-tenant-offset";
    /** freshet.tenants has one partition: its offsets order every tenant change. */
    private static final int PARTITION = 0;

    private final Map<String, Tenant> byId = new ConcurrentHashMap<>();
    private final Map<String, Tenant> byKeyHash = new ConcurrentHashMap<>();
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lags = new ConcurrentHashMap<>();
    private final Map<String, Long> recordOffsets = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final KafkaConnection kafka;
    private volatile Map<Integer, Long> startupEndOffsets;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;
    private Thread follower;
    private final Counter updatesApplied;

    public TenantRegistry(ObjectMapper json, MeterRegistry meters, KafkaConnection kafka) {
        this.json = json;
        this.kafka = kafka;
        meters.gaugeMapSize("freshet.tenants", List.of(), byId);
        this.updatesApplied = meters.counter("freshet.tenants.updates");
    }

    /** After topic provisioning (priority 1), before traffic. */
    void onStart(@Observes @Priority(2) StartupEvent event) {
        consumer = TopicReaders.reader(kafka, "tenant-registry");
        var partitions = consumer.partitionsFor(Topics.TENANTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        startupEndOffsets = toPartitionMap(consumer.endOffsets(partitions));
        follower = Thread.ofPlatform().name("tenant-registry").daemon().start(this::follow);
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            follower.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private void follow() {
        try (KafkaConsumer<String, String> owned = consumer) {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                for (TopicPartition partition : consumer.assignment()) {
                    consumer.currentLag(partition).ifPresent(lag -> lags.put(partition.partition(), lag));
                    advance(partition, consumer.position(partition));
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("Tenant registry stopped following " + Topics.TENANTS + "; readiness will fail", e);
            running = false;
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        Tenant updated = null;
        if (record.value() != null) {
            try {
                updated = json.readValue(record.value(), Tenant.class);
            } catch (Exception e) {
                LOG.errorf("Ignoring unreadable tenant record at %s-%d@%d: %s",
                        record.topic(), record.partition(), record.offset(), e.getMessage());
                return;
            }
        }
        Tenant previous = updated == null ? byId.remove(record.key()) : byId.put(updated.id(), updated);
        recordOffsets.put(record.key(), record.offset());
        if (previous != null) {
            byKeyHash.remove(previous.apiKeyHash()); // rotated or deleted: the old key stops working now
        }
        if (updated != null) {
            byKeyHash.put(updated.apiKeyHash(), updated);
        }
        updatesApplied.increment();
    }

    /** The tenant owning this API key, if any. */
    public Optional<Tenant> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return Optional.empty();
        }
        Tenant tenant = byKeyHash.get(ApiKeys.hash(apiKey));
        return tenant != null && ApiKeys.matches(apiKey, tenant.apiKeyHash()) ? Optional.of(tenant) : Optional.empty();
    }

    public Optional<Tenant> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The offset of the tenants record that made this registry know the tenant as it is; empty when it does not. */
    public OptionalLong offsetOf(String id) {
        Long offset = byId.containsKey(id) ? recordOffsets.get(id) : null;
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** True when, as of its last fetch, this registry has applied everything freshet.tenants holds. */
    public boolean hasReadToTheEnd() {
        return running && lags.getOrDefault(PARTITION, -1L) == 0;
    }

    /** Waits until this registry has applied the tenants record at {@code offset} (see {@link #OFFSET_HEADER}). */
    public boolean awaitApplied(long offset, Duration timeout) throws InterruptedException {
        return awaitApplied(PARTITION, offset, timeout);
    }

    public Collection<Tenant> all() {
        return List.copyOf(byId.values());
    }

    /** True once the registry has read everything the topic held when the service started. */
    public boolean isCaughtUp() {
        Map<Integer, Long> target = startupEndOffsets;
        return running && target != null
                && target.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Waits until this registry has applied the record at {@code offset} of the tenants partition. */
    public synchronized boolean awaitApplied(int partition, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (positions.getOrDefault(partition, 0L) <= offset) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                return false;
            }
            wait(remainingMs);
        }
        return true;
    }

    private synchronized void advance(TopicPartition partition, long position) {
        positions.put(partition.partition(), position);
        notifyAll();
    }

    private static Map<Integer, Long> toPartitionMap(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> result = new ConcurrentHashMap<>();
        offsets.forEach((tp, offset) -> result.put(tp.partition(), offset));
        return result;
    }
}

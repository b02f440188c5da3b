package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The tenants of the pipeline, materialized from the compacted topic freshet.tenants. Every instance reads the whole
 * topic (its channel is assigned the partition, in no group; event-model's configuration) and keeps following it, so
 * a new tenant or a rotated key takes effect everywhere within moments and without a restart.
 */
@ApplicationScoped
public class TenantRegistry {

    /** freshet.tenants, from its start (event-model's META-INF/microprofile-config.properties). */
    public static final String CHANNEL = "tenants";
    private static final Logger LOG = Logger.getLogger(TenantRegistry.class);
    /**
     * The header on a raw record with the offset of the tenants record by which the gateway knew the record's
     * tenant: a reader whose registry is behind waits until it has applied that much, instead of calling it unknown.
     */
    public static final String OFFSET_HEADER = "freshet-tenant-offset";
    /** freshet.tenants has one partition: its offsets order every tenant change. */
    private static final int PARTITION = 0;
    private static final TopicPartition TOPIC_PARTITION = new TopicPartition(Topics.TENANTS, PARTITION);

    private final Map<String, Tenant> byId = new ConcurrentHashMap<>();
    private final Map<String, AuthenticatedKey> byKeyHash = new ConcurrentHashMap<>();
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final Map<String, Long> recordOffsets = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final KafkaClientService kafka;
    private final Counter updatesApplied;
    /** False for the in-memory channel of the stage tests, which has nothing from before the start to catch up on. */
    private final boolean onKafka;
    /** The topic's end when this registry first asked (at start): read that far, it knows every tenant known then. */
    private volatile Long startupEnd;

    public TenantRegistry(ObjectMapper json, MeterRegistry meters, KafkaClientService kafka,
                          @ConfigProperty(name = "mp.messaging.incoming." + CHANNEL + ".connector") String connector) {
        this.json = json;
        this.kafka = kafka;
        this.onKafka = "smallrye-kafka".equals(connector);
        meters.gaugeMapSize("freshet.tenants", List.of(), byId);
        this.updatesApplied = meters.counter("freshet.tenants.updates");
    }

    /** On the channel's thread, in offset order; an unreadable record is logged and passed over. */
    @Incoming(CHANNEL)
    void apply(ConsumerRecord<String, String> record) {
        try {
            Tenant updated = record.value() == null ? null : json.readValue(record.value(), Tenant.class);
            Tenant previous = updated == null ? byId.remove(record.key()) : byId.put(updated.id(), updated);
            recordOffsets.put(record.key(), record.offset());
            if (previous != null) { // rotated, revoked or deleted: the old keys stop working now
                previous.keys().forEach(key -> byKeyHash.remove(key.hash()));
            }
            if (updated != null) {
                updated.keys().forEach(key -> byKeyHash.put(key.hash(), new AuthenticatedKey(updated, key.id(), key.scopes())));
            }
            updatesApplied.increment();
        } catch (Exception e) {
            LOG.errorf("Ignoring unreadable tenant record at %s-%d@%d: %s",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
        } finally {
            advance(record.partition(), record.offset() + 1);
        }
    }

    /** The tenant owning this API key and the key's scopes, if the key is known. */
    public Optional<AuthenticatedKey> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return Optional.empty();
        }
        // looked up by the SHA-256 of a random key: the lookup's timing tells nothing about any stored key
        return Optional.ofNullable(byKeyHash.get(ApiKeys.hash(apiKey)));
    }

    /** True when some tenant lets pages of this origin call Freshet (a CORS preflight carries no key to tell whose). */
    public boolean anyAllowsOrigin(String origin) {
        return byId.values().stream().anyMatch(tenant -> tenant.allowsOrigin(origin));
    }

    public Optional<Tenant> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The offset of the tenants record that made this registry know the tenant as it is; empty when it does not. */
    public OptionalLong offsetOf(String id) {
        Long offset = byId.containsKey(id) ? recordOffsets.get(id) : null;
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** True when this registry has applied everything freshet.tenants holds now. */
    public boolean hasReadToTheEnd() {
        OptionalLong end = endOffset();
        return end.isPresent() && positions.getOrDefault(PARTITION, 0L) >= end.getAsLong();
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
        if (!onKafka) {
            return true;
        }
        if (startupEnd == null) {
            endOffset().ifPresent(end -> startupEnd = end);
        }
        Long target = startupEnd;
        return target != null && positions.getOrDefault(PARTITION, 0L) >= target;
    }

    /** The end of freshet.tenants, asked on the channel consumer's own thread; empty while it cannot tell. */
    private OptionalLong endOffset() {
        KafkaConsumer<String, String> consumer = kafka.getConsumer(CHANNEL);
        if (consumer == null) {
            return OptionalLong.empty(); // the channel is not started yet
        }
        try {
            Function<Consumer<String, String>, Long> end = c -> c.endOffsets(List.of(TOPIC_PARTITION)).get(TOPIC_PARTITION);
            Long offset = consumer.runOnPollingThread(end).await().atMost(Duration.ofSeconds(5));
            return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
        } catch (RuntimeException e) {
            LOG.debugf("Cannot tell the end of %s yet: %s", Topics.TENANTS, e.toString());
            return OptionalLong.empty();
        }
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

    private synchronized void advance(int partition, long position) {
        positions.put(partition, position);
        notifyAll();
    }
}

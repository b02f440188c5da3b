package io.freshet.ingest.sink;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Map;

/** Opens the transactional producer of freshet.events.raw; its settings live in application.properties. */
@ApplicationScoped
public class RawTransactions {

    private final Map<String, Object> config;
    private final String transactionalId;
    private final int inFlight;
    private final Duration commitBudget;
    private final long maxTransactionBytes;

    public RawTransactions(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                           @ConfigProperty(name = "freshet.ingest.producer.transactional-id") String transactionalId,
                           @ConfigProperty(name = "freshet.ingest.producer.transactions-in-flight") int inFlight,
                           @ConfigProperty(name = "freshet.ingest.producer.max-block") Duration maxBlock,
                           @ConfigProperty(name = "freshet.ingest.producer.linger-ms") int lingerMs,
                           @ConfigProperty(name = "freshet.ingest.producer.batch-size") int batchSize,
                           @ConfigProperty(name = "freshet.ingest.producer.compression") String compression,
                           @ConfigProperty(name = "freshet.ingest.producer.buffer-memory") long bufferMemory) {
        this.transactionalId = transactionalId;
        this.inFlight = inFlight;
        Duration deliveryTimeout = maxBlock.plusMillis(lingerMs);
        // opening, sending and committing wait at most max-block each; the acks at most the delivery timeout
        this.commitBudget = maxBlock.multipliedBy(3).plus(deliveryTimeout);
        // a transaction never waits for buffer space its own records hold
        this.maxTransactionBytes = bufferMemory / 4;
        this.config = Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                // a transaction left open by a crashed instance stops holding back readers after this
                Map.entry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000),
                // durability is not a tunable: a committed event is on every in-sync replica, once
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, lingerMs),
                Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, batchSize),
                Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression),
                Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory),
                // back-to-back transactions: the next one retries until the last one's markers are written
                Map.entry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis()),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) maxBlock.toMillis()),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis()));
    }

    /** How many transactions run at once, each on its own producer: while one commits, the next fills. */
    int inFlight() {
        return inFlight;
    }

    /**
     * Producer {@code slot} (of {@link #inFlight()}), ready for transactions. Its transactional id is the
     * same after a restart, so opening it fences (and so aborts) whatever the predecessor left open.
     */
    KafkaProducer<String, byte[]> open(int slot) {
        var settings = new java.util.HashMap<>(config);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId + "-" + slot);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway-" + slot);
        var producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
            return producer;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    long maxTransactionBytes() {
        return maxTransactionBytes;
    }

    /** The longest one transaction can take, from opening the producer to the commit's answer. */
    public Duration commitBudget() {
        return commitBudget;
    }
}

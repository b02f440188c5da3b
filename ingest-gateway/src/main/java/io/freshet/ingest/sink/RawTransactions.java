package io.freshet.ingest.sink;

import io.freshet.eventmodel.kafka.KafkaConnection;
import jakarta.enterprise.context.ApplicationScoped;
import io.freshet.eventmodel.kafka.TransactionalProducer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Map;

/** Opens the transactional producer of freshet.events.raw; its settings live in application.properties. */
@ApplicationScoped
public class RawTransactions {

    private final KafkaConnection kafka;
    private final Map<String, Object> tuning;
    private final String transactionalId;
    private final MeterRegistry meters;
    private final int inFlight;
    private final Duration commitBudget;
    private final long maxTransactionBytes;

    public RawTransactions(KafkaConnection kafka,
                           @ConfigProperty(name = "freshet.ingest.producer.transactional-id") String transactionalId,
                           @ConfigProperty(name = "freshet.ingest.producer.transactions-in-flight") int inFlight,
                           @ConfigProperty(name = "freshet.ingest.producer.max-block") Duration maxBlock,
                           @ConfigProperty(name = "freshet.ingest.producer.linger-ms") int lingerMs,
                           @ConfigProperty(name = "freshet.ingest.producer.batch-size") int batchSize,
                           @ConfigProperty(name = "freshet.ingest.producer.compression") String compression,
                           @ConfigProperty(name = "freshet.ingest.producer.buffer-memory") long bufferMemory,
                           MeterRegistry meters) {
        this.kafka = kafka;
        this.transactionalId = transactionalId;
        this.meters = meters;
        this.inFlight = inFlight;
        Duration deliveryTimeout = maxBlock.plusMillis(lingerMs);
        // opening, sending and committing wait at most max-block each; the acks at most the delivery timeout
        this.commitBudget = maxBlock.multipliedBy(3).plus(deliveryTimeout);
        // a transaction never waits for buffer space its own records hold
        this.maxTransactionBytes = bufferMemory / 4;
        this.tuning = Map.of(
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.BATCH_SIZE_CONFIG, batchSize,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory,
                // back-to-back transactions: the next one retries until the last one's markers are written
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) maxBlock.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
    }

    /** How many transactions run at once, each on its own producer: while one commits, the next fills. */
    int inFlight() {
        return inFlight;
    }

    /** Producer {@code slot} (of {@link #inFlight()}), ready for transactions; its id is the same after a restart. */
    TransactionalProducer open(int slot) {
        return TransactionalProducer.open(kafka, transactionalId + "-" + slot, "ingest-gateway-" + slot,
                tuning, meters);
    }

    long maxTransactionBytes() {
        return maxTransactionBytes;
    }

    /** The longest one transaction can take, from opening the producer to the commit's answer. */
    public Duration commitBudget() {
        return commitBudget;
    }
}

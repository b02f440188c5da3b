package io.freshet.eventmodel.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A Freshet transactional producer, ready for its first transaction, with its Kafka client metrics
 * bound; closing it unbinds them. Its id should outlive a restart: opening a producer with the id fences
 * (and so aborts) whatever its predecessor left open.
 */
public final class TransactionalProducer {

    private final KafkaProducer<String, byte[]> kafka;
    private final KafkaClientMetrics metrics;

    private TransactionalProducer(KafkaProducer<String, byte[]> kafka, MeterRegistry meters) {
        this.kafka = kafka;
        this.metrics = new KafkaClientMetrics(kafka);
        metrics.bindTo(meters);
    }

    /**
     * @param tuning settings of this producer's own (batching, timeouts); they win over the shared ones
     * @throws RuntimeException when Kafka does not accept the id within max.block.ms
     */
    public static TransactionalProducer open(KafkaConnection connection, String transactionalId, String clientId,
                                             Map<String, Object> tuning, MeterRegistry meters) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                // a transaction left open by a crashed instance stops holding back readers after this
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000,
                // durability is not a tunable: a committed record is on every in-sync replica, once
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
        settings.putAll(tuning);
        var kafka = new KafkaProducer<>(connection.producer(settings), new StringSerializer(), new ByteArraySerializer());
        try {
            kafka.initTransactions();
        } catch (RuntimeException e) {
            kafka.close(Duration.ZERO);
            throw e;
        }
        return new TransactionalProducer(kafka, meters);
    }

    public KafkaProducer<String, byte[]> kafka() {
        return kafka;
    }

    /** Closes the producer; with {@link Duration#ZERO} an open transaction is left for the next one to abort. */
    public void close(Duration timeout) {
        metrics.close();
        kafka.close(timeout);
    }
}

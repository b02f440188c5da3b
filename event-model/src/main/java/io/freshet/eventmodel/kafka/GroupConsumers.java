package io.freshet.eventmodel.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.util.Map;

/** The pipeline's Kafka consumers: one shared setup, so every stage reads and rebalances alike. */
public final class GroupConsumers {

    private GroupConsumers() {
    }

    /**
     * A member of {@code group} that reads committed records only and commits its offsets itself (in a
     * transaction, or after its sink stored them). Static membership under {@code memberId}: a restarted instance
     * takes its partitions back at once, without a rebalance; one that stays away is replaced after 10 s.
     */
    public static <V> KafkaConsumer<String, V> staticMember(KafkaConnection kafka, String group, String memberId,
                                                            int maxPollRecords, Deserializer<V> values) {
        return new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, memberId,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
                ConsumerConfig.CLIENT_ID_CONFIG, memberId + "-consumer")),
                new StringDeserializer(), values);
    }

    /** A reader of committed records in no group, for a caller that assigns partitions and positions itself. */
    public static KafkaConsumer<String, String> reader(KafkaConnection kafka, String clientId) {
        return reader(kafka, clientId, new StringDeserializer());
    }

    public static <V> KafkaConsumer<String, V> reader(KafkaConnection kafka, String clientId, Deserializer<V> values) {
        return new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId)),
                new StringDeserializer(), values);
    }
}

package io.freshet.eventmodel.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.util.Map;

/**
 * Readers of a topic's partitions outside any group, assigned and positioned by their caller: restoring a changelog,
 * a replay, the DLQ listing. The pipeline's streams are channels (quarkus-messaging-kafka), which read from a group's
 * offsets on and cannot read a range on demand.
 */
public final class TopicReaders {

    private TopicReaders() {
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

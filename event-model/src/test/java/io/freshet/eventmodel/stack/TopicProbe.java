package io.freshet.eventmodel.stack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.util.Map;

/**
 * Reads the stack's topics as a downstream consumer would (read_committed). Tests take a topic's end
 * offsets before they act and read from there, so a topic's history (a benchmark's millions of records)
 * never slows them down.
 */
public final class TopicProbe {

    private TopicProbe() {
    }

    /** A consumer with no group, positioned at {@code from}. */
    public static <V> KafkaConsumer<String, V> consumerFrom(Map<TopicPartition, Long> from, Deserializer<V> values) {
        KafkaConsumer<String, V> consumer = consumer(values);
        consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        return consumer;
    }

    public static Map<TopicPartition, Long> endOffsets(String topic) {
        try (var consumer = consumer(new StringDeserializer())) {
            return consumer.endOffsets(consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
        }
    }

    private static <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), values);
    }
}

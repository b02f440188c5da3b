package io.freshet.eventmodel.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the stack's topics as a downstream consumer would (read_committed), and writes single records. Tests take a topic's end
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

    /** The first record with this key after {@code from}, awaited for up to 30 s. */
    public static <V> ConsumerRecord<String, V> firstRecord(Map<TopicPartition, Long> from, String key,
                                                            Deserializer<V> values) {
        try (var consumer = consumerFrom(from, values)) {
            AtomicReference<ConsumerRecord<String, V>> found = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key()) && found.get() == null) {
                        found.set(record);
                    }
                }
                return found.get() != null;
            });
            return found.get();
        }
    }

    /** The first {@code count} records after {@code from} that match, awaited for up to 60 s. */
    public static <V> List<ConsumerRecord<String, V>> records(Map<TopicPartition, Long> from, Deserializer<V> values,
                                                              Predicate<ConsumerRecord<String, V>> match, int count) {
        return recordsThrough(from, values, match, found -> found.size() >= count);
    }

    /** The records after {@code from} that match, until those found are {@code enough}; awaited for up to 60 s. */
    public static <V> List<ConsumerRecord<String, V>> recordsThrough(Map<TopicPartition, Long> from, Deserializer<V> values,
                                                                     Predicate<ConsumerRecord<String, V>> match,
                                                                     Predicate<List<ConsumerRecord<String, V>>> enough) {
        try (var consumer = consumerFrom(from, values)) {
            List<ConsumerRecord<String, V>> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (!enough.test(found) && match.test(record)) {
                        found.add(record);
                    }
                }
                return enough.test(found);
            });
            return found;
        }
    }

    /**
     * Hands each record after {@code from} to {@code each} until {@code enough} holds and the reader is at the end of
     * the partitions (read_committed: a transaction left open holds the end back until it is aborted), for up to
     * {@code atMost}. At the end with {@code enough} still false it returns, for the caller to say what is missing;
     * short of the end it fails: what the reader did not get to may well be there.
     */
    public static <V> void readToEnd(Map<TopicPartition, Long> from, Deserializer<V> values, Duration atMost,
                                     Consumer<ConsumerRecord<String, V>> each, BooleanSupplier enough) {
        try (var consumer = consumerFrom(from, values)) {
            try {
                await().atMost(atMost).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(each);
                    return enough.getAsBoolean() && behind(consumer).isEmpty();
                });
            } catch (ConditionTimeoutException e) {
                Map<TopicPartition, String> behind = behind(consumer);
                if (!behind.isEmpty()) {
                    fail("The reader timed out after " + atMost.toSeconds() + " s before the end of the topic"
                            + " (partition: position / end offset): " + behind, e);
                }
            }
        }
    }

    /** The partitions the consumer has not read to their end yet, with "position / end offset" of each. */
    private static Map<TopicPartition, String> behind(KafkaConsumer<?, ?> consumer) {
        return consumer.endOffsets(consumer.assignment()).entrySet().stream()
                .filter(end -> consumer.position(end.getKey()) < end.getValue())
                .collect(Collectors.toMap(Map.Entry::getKey, end -> consumer.position(end.getKey()) + " / " + end.getValue()));
    }

    /** Writes one record as a producer of the stack would (acks=all) and returns where it landed. */
    public static RecordMetadata send(String topic, String key, String value) throws ExecutionException, InterruptedException {
        return Producer.INSTANCE.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Writes the records and returns once every one is acknowledged; fails if one is not. */
    public static void sendAll(List<ProducerRecord<String, String>> records) throws ExecutionException, InterruptedException {
        List<Future<RecordMetadata>> sent = records.stream().map(Producer.INSTANCE::send).toList();
        for (Future<RecordMetadata> each : sent) {
            each.get();
        }
    }

    /** Writes the records at a steady pace, {@code perSecond} each second, so crashes and rebalances land mid-stream. */
    public static void sendPaced(List<ProducerRecord<String, String>> records, int perSecond)
            throws ExecutionException, InterruptedException {
        for (int from = 0; from < records.size(); from += perSecond) {
            sendAll(records.subList(from, Math.min(from + perSecond, records.size())));
            if (from + perSecond < records.size()) {
                Thread.sleep(1000); // pacing the load, not waiting for a condition
            }
        }
    }

    /** One producer for all the tests of a run (acks=all, as the stack's producers). */
    private static final class Producer {
        static final KafkaProducer<String, String> INSTANCE = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** A topic's config as the broker has it. */
    public static String config(String topic, String name) throws ExecutionException, InterruptedException {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(name).value();
        }
    }

    /** Sets a topic's config, as an operator (or an older version of Freshet) would have. */
    public static void setConfig(String topic, String name, String value) throws ExecutionException, InterruptedException {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                    AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    /** Sets a consumer group's committed offsets, as a user starting their own reader at a point would. */
    public static void setGroupOffsets(String group, Map<TopicPartition, Long> offsets)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.alterConsumerGroupOffsets(group, offsets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> new OffsetAndMetadata(e.getValue())))).all().get();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers()));
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

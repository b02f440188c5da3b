package io.freshet.enricher.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The schema registry stops mid-stream: the enricher goes on writing Avro with the schema id it cached. */
class RegistryOutageIT {

    @Test
    void enrichmentGoesOnFromTheSchemaCacheWhileTheRegistryIsDown() throws Exception {
        var tenant = TestTenants.create("registry-down");
        Map<TopicPartition, Long> from = TopicProbe.endOffsets(Topics.ENRICHED);
        send(tenant.id(), "before"); // the enricher has the schema's id in its cache from here on
        await().atMost(Duration.ofSeconds(30)).until(() -> enrichedRecord(from, tenant.id() + "/before") != null);

        String eventId = UUID.randomUUID().toString();
        ConsumerRecord<String, byte[]> during;
        Freshet.run("down", "registry");
        try {
            send(tenant.id(), "during", eventId);
            during = await().atMost(Duration.ofSeconds(30)).until(() -> enrichedRecord(from, tenant.id() + "/during"), r -> r != null);
        } finally {
            Freshet.run("up", "registry");
        }
        EnrichedEvent event = EnrichedRecords.deserializer().deserialize(Topics.ENRICHED, during.headers(), during.value());
        assertEquals(eventId, event.getEventId());
    }

    private static void send(String tenant, String user) throws Exception {
        send(tenant, user, UUID.randomUUID().toString());
    }

    private static void send(String tenant, String user, String eventId) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.RAW, tenant + "/" + user, """
                    {"tenant_id":"%s","event_id":"%s","type":"registry.tested","received_at":"%s","user_id":"%s"}"""
                    .formatted(tenant, eventId, Instant.now(), user))).get();
        }
    }

    /** The enriched record with this key after the given offsets, read without the registry; null when not there yet. */
    private static ConsumerRecord<String, byte[]> enrichedRecord(Map<TopicPartition, Long> from, String key) {
        AtomicReference<ConsumerRecord<String, byte[]>> found = new AtomicReference<>();
        try (var consumer = TopicProbe.consumerFrom(from, new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
            while (found.get() == null && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (key.equals(record.key())) {
                        found.set(record);
                    }
                });
            }
        }
        return found.get();
    }
}

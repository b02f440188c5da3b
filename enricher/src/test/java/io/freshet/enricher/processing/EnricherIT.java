package io.freshet.enricher.processing;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The enricher on the running stack: raw JSON in, Avro out, bad records to the DLQ with their reason. */
class EnricherIT {

    @Test
    void enrichesARawEventIntoAnAvroRecordWithItsSource() throws Exception {
        var tenant = TestTenants.create("enricher");
        String eventId = UUID.randomUUID().toString();
        String key = tenant.id() + "/u7";
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        var sent = send(key, """
                {"tenant_id":"%s","event_id":"%s","type":"signup.completed","timestamp":"2026-03-01T10:00:00Z",
                 "received_at":"2026-03-01T10:00:02.5Z","user_id":"u7","properties":{"plan":"pro"}}"""
                .formatted(tenant.id(), eventId));

        EnrichedEvent event = firstRecord(from, key, avroDeserializer()).value();
        assertEquals(tenant.id(), event.getTenantId());
        assertEquals(eventId, event.getEventId());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), event.getEventTime());
        assertEquals(2500, event.getIngestLagMs());
        assertEquals("{\"plan\":\"pro\"}", event.getProperties());
        assertEquals(sent.partition(), event.getRawPartition());
        assertEquals(sent.offset(), event.getRawOffset());
    }

    @Test
    void aRecordThatIsNotJsonGoesToTheDlqWithTheReasonAndItsSource() throws Exception {
        String key = "dlq-" + UUID.randomUUID();
        var from = TopicProbe.endOffsets(Topics.DLQ);
        var sent = send(key, "this is not json");
        var dead = firstRecord(from, key, new StringDeserializer());
        assertEquals("this is not json", dead.value());
        assertTrue(header(dead, "dead-letter-reason").contains("Unrecognized token"), header(dead, "dead-letter-reason"));
        assertEquals(Topics.RAW, header(dead, "dead-letter-topic"));
        assertEquals(String.valueOf(sent.offset()), header(dead, "dead-letter-offset"));
    }

    @Test
    void anEventOfAnUnknownTenantGoesToTheDlq() throws Exception {
        String key = "ghost/" + UUID.randomUUID();
        var from = TopicProbe.endOffsets(Topics.DLQ);
        send(key, "{\"tenant_id\":\"ghost-tenant\",\"event_id\":\"" + UUID.randomUUID()
                + "\",\"type\":\"a\",\"received_at\":\"2026-03-01T10:00:00Z\"}");
        var dead = firstRecord(from, key, new StringDeserializer());
        assertEquals("Unknown tenant 'ghost-tenant'", header(dead, "dead-letter-reason"));
    }

    private static org.apache.kafka.clients.producer.RecordMetadata send(String key, String value) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(Topics.RAW, key, value)).get();
        }
    }

    /** The first record with this key after the given offsets, awaited. */
    private static <V> ConsumerRecord<String, V> firstRecord(Map<TopicPartition, Long> from, String key, Deserializer<V> values) {
        try (var consumer = TopicProbe.consumerFrom(from, values)) {
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

    private static Deserializer<EnrichedEvent> avroDeserializer() {
        var deserializer = new AvroKafkaDeserializer<EnrichedEvent>();
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, LocalStack.registryUrl());
        config.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        deserializer.configure(config, false);
        return deserializer;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "<no " + name + " header>" : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package io.freshet.enricher.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `kill -9` of the enricher, three times, while a known set of raw events flows: afterwards
 * freshet.events.enriched (read_committed) holds every one of them exactly once.
 */
class EnricherKillIT {

    private static final int EVENTS = 30_000;
    private static final int KILLS = 3;

    @Test
    void everyEventIsEnrichedExactlyOnceAcrossCrashes() throws Exception {
        var tenant = TestTenants.create("kill");
        Map<TopicPartition, Long> from = TopicProbe.endOffsets(Topics.ENRICHED);
        List<String> ids = IntStream.range(0, EVENTS).mapToObj(i -> UUID.randomUUID().toString()).toList();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> send(tenant.id(), ids));
            for (int kill = 1; kill <= KILLS; kill++) {
                long progress = kill * (long) EVENTS / (KILLS + 1);
                await().atMost(Duration.ofSeconds(90)).until(() -> enrichedSince(from) >= progress);
                Freshet.kill("enricher");
                Freshet.run("up", "enricher");
            }
            sending.get();
        }

        Map<String, Integer> seen = new HashMap<>();
        try (var consumer = TopicProbe.consumerFrom(from, EnrichedRecords.deserializer())) {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (tenant.id().equals(record.value().getTenantId())) {
                        seen.merge(record.value().getEventId(), 1, Integer::sum);
                    }
                }
                return seen.size() >= EVENTS
                        && consumer.endOffsets(from.keySet()).entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        assertEquals(Set.copyOf(ids), seen.keySet(), "every event enriched");
        Map<String, Integer> duplicates = seen.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), duplicates, "events enriched more than once");
    }

    /** Writes the raw events at a steady pace over about 20 s, so the kills land mid-stream. */
    private static Void send(String tenant, List<String> ids) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < ids.size(); i++) {
                String user = "u" + (i % 97);
                producer.send(new ProducerRecord<>(Topics.RAW, tenant + "/" + user, """
                        {"tenant_id":"%s","event_id":"%s","type":"crash.tested","received_at":"%s","user_id":"%s"}"""
                        .formatted(tenant, ids.get(i), Instant.now(), user)));
                if (i % 1500 == 1499) {
                    producer.flush();
                    Thread.sleep(1000); // pacing the load, not waiting for a condition
                }
            }
        }
        return null;
    }

    private static long enrichedSince(Map<TopicPartition, Long> from) {
        Map<TopicPartition, Long> end = TopicProbe.endOffsets(Topics.ENRICHED);
        return end.entrySet().stream().mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
    }
}

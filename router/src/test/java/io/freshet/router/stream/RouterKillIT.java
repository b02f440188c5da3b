package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `kill -9` of the router, three times, while a known set of events flows through the pipeline: afterwards
 * ClickHouse holds each of them exactly once.
 */
class RouterKillIT {

    private static final int EVENTS = 30_000;
    private static final int KILLS = 3;

    @Test
    void everyEventIsStoredExactlyOnceAcrossRouterCrashes() throws Exception {
        String tenant = TestTenants.create("router-kill").id();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> send(tenant));
            for (int kill = 1; kill <= KILLS; kill++) {
                long progress = kill * (long) EVENTS / (KILLS + 1);
                await().atMost(Duration.ofSeconds(90)).until(() -> stored(tenant) >= progress);
                Freshet.kill("router");
                Freshet.run("up", "router");
            }
            sending.get();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> stored(tenant) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.query(
                "SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "'"),
                "count() = uniqExact(event_id) = every event sent");
    }

    private static long stored(String tenant) {
        return Long.parseLong(ClickHouseProbe.query("SELECT count() FROM freshet.events WHERE tenant_id = '" + tenant + "'"));
    }

    /** Raw events at a steady pace over about 20 s, so the kills land mid-stream. */
    private static Void send(String tenant) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String user = "u" + (i % 97);
                producer.send(new ProducerRecord<>(Topics.RAW, tenant + "/" + user, """
                        {"tenant_id":"%s","event_id":"%s","type":"crash.tested","received_at":"%s","user_id":"%s"}"""
                        .formatted(tenant, UUID.randomUUID(), Instant.now(), user)));
                if (i % 1500 == 1499) {
                    producer.flush();
                    Thread.sleep(1000); // pacing the load, not waiting for a condition
                }
            }
        }
        return null;
    }
}

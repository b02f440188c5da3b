package io.freshet.enricher;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assertions;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Raw events as the gateway writes them, put straight on freshet.events.raw, and the enricher's metrics. */
public final class RawRecords {

    private RawRecords() {
    }

    /** A raw event of a user (the record key keeps the user's events in one partition); returns its event id. */
    public static String send(String tenant, String user, String type, String propertiesJson) throws Exception {
        return send(tenant, user, type, propertiesJson, Instant.now(), null);
    }

    public static String send(String tenant, String user, String type, String propertiesJson, Instant time,
                              String userAgent) throws Exception {
        String eventId = UUID.randomUUID().toString();
        sendValue(tenant + "/" + user, """
                {"tenant_id":"%s","event_id":"%s","type":"%s","timestamp":"%s","received_at":"%s","user_id":"%s",\
                "properties":%s%s}""".formatted(tenant, eventId, type, time, Instant.now(), user, propertiesJson,
                userAgent == null ? "" : ",\"user_agent\":\"" + userAgent + "\""));
        return eventId;
    }

    public static RecordMetadata sendValue(String key, String value) throws Exception {
        return TopicProbe.send(Topics.RAW, key, value);
    }

    /**
     * Waits until the counter reaches {@code expected}: the enricher counts a batch once it knows its transaction committed,
     * a moment after its records are visible.
     */
    public static void awaitCounter(double expected, String name, String... labels) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Assertions.assertEquals(expected, counter(name, labels),
                name + " " + String.join(",", labels)));
    }

    /** The sum of the enricher's samples of a Prometheus counter whose labels contain all of {@code labels}. */
    public static double counter(String name, String... labels) {
        return Metrics.sum(LocalStack.enricherUrl(), name, labels);
    }
}

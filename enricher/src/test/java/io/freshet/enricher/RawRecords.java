package io.freshet.enricher;

import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

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
     * Saves the tenant's rules and waits until the enricher applies them: probe events (type rules.probe, which
     * test rules let through) go in until one comes out under the new rules version.
     */
    public static int applyRules(String tenant, String rulesJson) throws Exception {
        int version = TestTenants.setRules(tenant, rulesJson);
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String probe = "probe-" + UUID.randomUUID();
            send(tenant, probe, "rules.probe", "{}");
            return TopicProbe.firstRecord(from, tenant + "/" + probe, EnrichedRecords.deserializer())
                    .value().getRulesVersion() == version;
        });
        return version;
    }

    /** The sum of the enricher's samples of a Prometheus counter whose labels contain all of {@code labels}. */
    public static double counter(String name, String... labels) {
        return Metrics.sum(LocalStack.enricherUrl(), name, labels);
    }
}

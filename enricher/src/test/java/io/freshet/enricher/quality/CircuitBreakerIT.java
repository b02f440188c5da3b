package io.freshet.enricher.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.enricher.RawRecords;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant whose events keep breaking its rules is paused, with an alert; another tenant sharing its partitions
 * flows on. (Defaults: 100 events in 60 s, more than half failing, pause 60 s.)
 */
class CircuitBreakerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFailingTenantIsPausedWithAnAlertWhileOthersFlowOn() throws Exception {
        var bad = TestTenants.create("breaker-bad");
        var good = TestTenants.create("breaker-good");
        TestTenants.applyRules(bad.id(), "{\"validation\": {\"allowed_types\": [\"rules.probe\", \"order.created\"]}}");
        var fromAlerts = TopicProbe.endOffsets(Topics.ALERTS);
        var fromDlq = TopicProbe.endOffsets(Topics.DLQ);
        var fromEnriched = TopicProbe.endOffsets(Topics.ENRICHED);
        for (int i = 0; i < 150; i++) {
            RawRecords.send(bad.id(), "u" + i % 10, "order.cancelled", "{}");
        }

        Alert alert = TopicProbe.firstRecord(fromAlerts, bad.id(), EnrichedRecords.alerts()).value();
        assertEquals(bad.id(), alert.getTenantId());
        assertEquals("circuit_breaker", alert.getRule());
        assertTrue(alert.getObserved() >= 95, "all but the rules probes failed: " + alert.getObserved() + "%");
        assertEquals(50, alert.getThreshold());
        assertTrue(alert.getMessage().startsWith("Tenant '" + bad.id() + "' is paused until "), alert.getMessage());

        // now even a valid event of the paused tenant waits in the DLQ, while the other tenant's events flow
        RawRecords.send(bad.id(), "later", "order.created", "{}");
        String goodEvent = RawRecords.send(good.id(), "later", "order.created", "{}");
        assertEquals(goodEvent, TopicProbe.firstRecord(fromEnriched, good.id() + "/later", EnrichedRecords.deserializer())
                .value().getEventId());
        JsonNode paused = JSON.readTree(TopicProbe.firstRecord(fromDlq, bad.id() + "/later", new StringDeserializer()).value());
        assertEquals(TenantPausedException.class.getName(), paused.path("error_class").asText());
        assertTrue(paused.path("error_message").asText().contains("is paused until"), paused.toString());
        RawRecords.awaitCounter(1.0, "freshet_enricher_tenant_paused", "tenant=\"" + bad.id() + "\"");
        RawRecords.awaitCounter(1.0, "freshet_enricher_breaker_openings_total", "tenant=\"" + bad.id() + "\"");
        RawRecords.awaitCounter(0.0, "freshet_enricher_breaker_openings_total", "tenant=\"" + good.id() + "\"");
    }
}

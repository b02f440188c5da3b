package io.freshet.enricher.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.enricher.RawRecords;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of tenant rule, saved through the admin API and applied by the running enricher without a restart. */
class TenantRulesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void transformationRulesShapeTheStoredEvent() throws Exception {
        var tenant = TestTenants.create("transform");
        int version = TestTenants.applyRules(tenant.id(), """
                {"transform": {"rename": {"amt": "amount"}, "drop": ["password"], "mask": ["phone", "email"],
                               "hash": ["customer"], "tags": {"env": "prod", "team": "web"},
                               "filter_types": ["debug.log"], "sample": {"page.view": 0.5}}}""");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        // one user, so one partition: everything sent before the last event is decided when the last one arrives
        RawRecords.send(tenant.id(), "u1", "debug.log", "{\"line\": 1}");
        for (int i = 0; i < 400; i++) {
            RawRecords.send(tenant.id(), "u1", "page.view", "{\"n\": " + i + "}");
        }
        String orderId = RawRecords.send(tenant.id(), "u1", "order.created", """
                {"amt": 42.5, "password": "hunter2", "phone": "+44 20 7946 0958", "email": "jane@example.com",
                 "customer": "c-1001", "note": "kept"}""");

        List<EnrichedEvent> events = TopicProbe.recordsThrough(from, EnrichedRecords.deserializer(),
                r -> r.key().equals(tenant.id() + "/u1"),
                found -> !found.isEmpty() && found.getLast().value().getEventId().equals(orderId))
                .stream().map(r -> r.value()).toList();
        EnrichedEvent order = events.getLast();
        assertEquals(orderId, order.getEventId());
        JsonNode properties = JSON.readTree(order.getProperties());
        assertEquals(42.5, properties.path("amount").asDouble(), "renamed");
        assertFalse(properties.has("amt"));
        assertFalse(properties.has("password"), "dropped");
        assertEquals("***0958", properties.path("phone").asText(), "masked");
        assertEquals("j***@example.com", properties.path("email").asText(), "an e-mail keeps its first letter and domain");
        assertEquals(64, properties.path("customer").asText().length(), "SHA-256 hex");
        assertTrue(properties.path("customer").asText().matches("[0-9a-f]{64}"));
        assertEquals("kept", properties.path("note").asText());
        assertEquals(Map.of("env", "prod", "team", "web"), order.getTags());
        assertEquals(version, order.getRulesVersion(), "the rules version is recorded on each record");

        assertTrue(events.stream().noneMatch(e -> e.getType().equals("debug.log")), "filtered out");
        long pageViews = events.stream().filter(e -> e.getType().equals("page.view")).count();
        // half of 400 kept, decided by event id; 140..260 is over six standard deviations wide
        assertTrue(pageViews > 140 && pageViews < 260, "page.view sampled at 0.5: " + pageViews + " of 400 kept");
        RawRecords.awaitCounter(1.0, "freshet_enricher_events_total", "tenant=\"" + tenant.id() + "\"", "outcome=\"filtered\"");
        RawRecords.awaitCounter(400 - pageViews, "freshet_enricher_events_total",
                "tenant=\"" + tenant.id() + "\"", "outcome=\"sampled_out\"");
    }

    @Test
    void eventsBreakingValidationRulesGoToTheDlqWithEveryReason() throws Exception {
        var tenant = TestTenants.create("validate");
        TestTenants.applyRules(tenant.id(), """
                {"validation": {"allowed_types": ["order.created", "rules.probe"],
                                "required": {"order.created": ["order_id", "amount"]},
                                "properties": {"amount": {"type": "number", "min": 0, "max": 1000},
                                               "coupon": {"type": "string", "max_length": 5}}}}""");
        var fromEnriched = TopicProbe.endOffsets(Topics.ENRICHED);
        var fromDlq = TopicProbe.endOffsets(Topics.DLQ);
        String valid = RawRecords.send(tenant.id(), "u1", "order.created", "{\"order_id\": \"o1\", \"amount\": 10, \"coupon\": \"SAVE5\"}");
        Map<String, String> reasons = Map.of(
                RawRecords.send(tenant.id(), "u2", "order.created", "{\"order_id\": \"o2\"}"),
                "'order.created' requires properties [amount], missing",
                RawRecords.send(tenant.id(), "u3", "order.created", "{\"order_id\": \"o3\", \"amount\": \"12\"}"),
                "property 'amount' must be number, was string",
                RawRecords.send(tenant.id(), "u4", "order.created", "{\"order_id\": \"o4\", \"amount\": 5000, \"coupon\": \"TOOLONG\"}"),
                "property 'amount' is 5000, outside [0, 1000]; property 'coupon' is longer than 5 characters",
                RawRecords.send(tenant.id(), "u5", "refund.issued", "{}"),
                "event type 'refund.issued' is not one of the tenant's allowed types");

        var dead = TopicProbe.records(fromDlq, new StringDeserializer(), r -> r.key().startsWith(tenant.id() + "/"), 4);
        for (var record : dead) {
            JsonNode letter = JSON.readTree(record.value());
            assertEquals(reasons.get(eventIdOf(record.value())), letter.path("error_message").asText(), letter.toString());
            assertEquals(RuleViolationException.class.getName(), letter.path("error_class").asText());
            assertEquals(tenant.id(), letter.path("tenant_id").asText());
            assertEquals(1, letter.path("attempts").asInt(), "a broken rule is not retried");
        }
        assertEquals(reasons.keySet(), Set.copyOf(dead.stream().map(r -> eventIdOf(r.value())).toList()));
        assertEquals(valid, TopicProbe.firstRecord(fromEnriched, tenant.id() + "/u1", EnrichedRecords.deserializer())
                .value().getEventId());

        String t = "tenant=\"" + tenant.id() + "\"";
        RawRecords.awaitCounter(1.0, "freshet_enricher_quality_checks_total", t, "dimension=\"completeness\"", "result=\"fail\"");
        // o1, o3 and o4 carried what order.created requires
        RawRecords.awaitCounter(3.0, "freshet_enricher_quality_checks_total", t, "rule=\"required\"", "result=\"pass\"");
        RawRecords.awaitCounter(1.0, "freshet_enricher_quality_checks_total", t, "rule=\"allowed_types\"", "result=\"fail\"");
        RawRecords.awaitCounter(1.0, "freshet_enricher_quality_checks_total", t, "rule=\"type\"", "result=\"fail\"");
        RawRecords.awaitCounter(1.0, "freshet_enricher_quality_checks_total", t, "rule=\"range\"", "result=\"fail\"");
        RawRecords.awaitCounter(1.0, "freshet_enricher_quality_checks_total", t, "rule=\"max_length\"", "result=\"fail\"");
        assertTrue(RawRecords.counter("freshet_enricher_quality_checks_total", t, "dimension=\"timeliness\"", "result=\"pass\"") >= 6);
    }

    @Test
    void aRuleChangeAppliesToTheNextEventsWithoutARestart() throws Exception {
        var tenant = TestTenants.create("rulechange");
        TestTenants.applyRules(tenant.id(), "{\"transform\": {\"tags\": {\"release\": \"a\"}}}");
        int second = TestTenants.applyRules(tenant.id(), "{\"transform\": {\"tags\": {\"release\": \"b\"}, \"drop\": [\"secret\"]}}");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        RawRecords.send(tenant.id(), "u1", "page.view", "{\"secret\": 1, \"path\": \"/\"}");
        EnrichedEvent event = TopicProbe.firstRecord(from, tenant.id() + "/u1", EnrichedRecords.deserializer()).value();
        assertEquals(second, event.getRulesVersion());
        assertEquals(Map.of("release", "b"), event.getTags());
        assertEquals("{\"path\":\"/\"}", event.getProperties());
    }

    private static String eventIdOf(String deadLetter) {
        try {
            return JSON.readTree(JSON.readTree(deadLetter).path("payload").asText()).path("event_id").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

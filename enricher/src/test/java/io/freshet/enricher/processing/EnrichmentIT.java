package io.freshet.enricher.processing;

import io.freshet.enricher.RawRecords;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the enricher adds to an event: user agent, date parts, and sessions where the client sent none. */
class EnrichmentIT {

    private static final String PIXEL_CHROME = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36";

    @Test
    void theUserAgentAndTheDatePartsAreAdded() throws Exception {
        var tenant = TestTenants.create("agent");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        RawRecords.send(tenant.id(), "u1", "page.view", "{}", Instant.now().minusSeconds(5), PIXEL_CHROME);
        // a user_agent property (an event relayed by a server) wins over the sender's own
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
        RawRecords.send(tenant.id(), "u2", "page.view", "{\"user_agent\": \"" + PIXEL_CHROME + "\"}", anHourAgo, "curl/8.5.0");

        EnrichedEvent phone = TopicProbe.firstRecord(from, tenant.id() + "/u1", EnrichedRecords.deserializer()).value();
        assertEquals("Chrome", phone.getBrowser());
        assertEquals("120", phone.getBrowserVersion());
        assertEquals("Android", phone.getOs());
        assertEquals("13", phone.getOsVersion());
        assertEquals("Phone", phone.getDeviceClass());
        assertEquals(2, phone.getSchemaVersion());

        EnrichedEvent relayed = TopicProbe.firstRecord(from, tenant.id() + "/u2", EnrichedRecords.deserializer()).value();
        assertEquals("Chrome", relayed.getBrowser());
        var utc = anHourAgo.atZone(ZoneOffset.UTC);
        assertEquals(utc.toLocalDate(), relayed.getEventDate());
        assertEquals(utc.getHour(), relayed.getEventHour());
        assertEquals(utc.getDayOfWeek().getValue(), relayed.getEventWeekday());
    }

    @Test
    void sessionsAreDerivedFromInactivityGapsWhereTheClientSentNone() throws Exception {
        var tenant = TestTenants.create("session");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        Instant start = Instant.now().minus(Duration.ofMinutes(90));
        String key = tenant.id() + "/u1";
        RawRecords.send(tenant.id(), "u1", "a", "{}", start, null);
        RawRecords.send(tenant.id(), "u1", "b", "{}", start.plus(Duration.ofMinutes(20)), null);
        RawRecords.send(tenant.id(), "u1", "c", "{}", start.plus(Duration.ofMinutes(40)), null); // gap 20 min: same session
        RawRecords.send(tenant.id(), "u1", "d", "{}", start.plus(Duration.ofMinutes(75)), null); // gap 35 min: a new one
        RawRecords.sendValue(key, """
                {"tenant_id":"%s","event_id":"%s","type":"e","received_at":"%s","user_id":"u1","session_id":"client-s1"}"""
                .formatted(tenant.id(), java.util.UUID.randomUUID(), Instant.now()));

        List<EnrichedEvent> events = TopicProbe.records(from, EnrichedRecords.deserializer(), r -> r.key().equals(key), 5)
                .stream().map(r -> r.value()).toList();
        assertEquals(List.of("a", "b", "c", "d", "e"), events.stream().map(EnrichedEvent::getType).toList());
        String first = events.get(0).getSessionId();
        assertTrue(events.subList(0, 4).stream().allMatch(EnrichedEvent::getSessionDerived));
        assertEquals(first, events.get(1).getSessionId());
        assertEquals(first, events.get(2).getSessionId());
        assertNotEquals(first, events.get(3).getSessionId());
        assertEquals("client-s1", events.get(4).getSessionId(), "the client's session is kept");
        assertFalse(events.get(4).getSessionDerived());
    }

    @Test
    void anEventWithoutAUserGetsNoSession() throws Exception {
        var tenant = TestTenants.create("anon");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        String key = tenant.id() + "/anonymous-1";
        RawRecords.sendValue(key, """
                {"tenant_id":"%s","event_id":"%s","type":"a","received_at":"%s"}"""
                .formatted(tenant.id(), java.util.UUID.randomUUID(), Instant.now()));
        EnrichedEvent event = TopicProbe.firstRecord(from, key, EnrichedRecords.deserializer()).value();
        assertNull(event.getSessionId());
        assertFalse(event.getSessionDerived());
        assertNull(event.getBrowser());
    }
}

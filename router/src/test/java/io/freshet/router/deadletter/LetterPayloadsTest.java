package io.freshet.router.deadletter;

import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LetterPayloadsTest {

    private static final LetterPayloads PAYLOADS = new LetterPayloads(Letters.JSON);
    private static final String ID = "0195a4d2-7c1e-7b3a-9f00-5a1b2c3d4e5f";

    @Test
    void anEnricherLetterHoldsTheRawEvent() {
        var raw = PAYLOADS.rawEvent(Letters.enricher("acme", "rule_violation", Letters.rawPayload("acme", ID, "u1"), null, 0).letter())
                .orElseThrow();
        assertEquals("acme/u1", raw.partitionKey());
        assertEquals(Instant.parse("2026-03-01T10:00:00.123456Z"), raw.eventTime(), "received_at when the client sent no time");
        assertEquals(Optional.of(new LetteredEvent("acme", UUID.fromString(ID))),
                PAYLOADS.eventOf(Letters.enricher("acme", "rule_violation", Letters.rawPayload("acme", ID, "u1"), null, 0).letter()));
    }

    @Test
    void aPayloadWithoutTenantIdOrReceiptIsNoRawEventToRedrive() {
        assertTrue(PAYLOADS.rawEvent(enricher("this is not json")).isEmpty());
        assertTrue(PAYLOADS.rawEvent(enricher("{\"tenant_id\":\"acme\",\"event_id\":\"e1\",\"received_at\":\"2026-03-01T10:00:00Z\"}")).isEmpty());
        assertTrue(PAYLOADS.rawEvent(enricher("{\"tenant_id\":\"Acme!\",\"event_id\":\"" + ID + "\",\"received_at\":\"2026-03-01T10:00:00Z\"}")).isEmpty());
        assertTrue(PAYLOADS.rawEvent(enricher("{\"tenant_id\":\"acme\",\"event_id\":\"" + ID + "\"}")).isEmpty());
        assertTrue(PAYLOADS.rawEvent(enricher(null)).isEmpty());
    }

    @Test
    void aRouterLetterNamesItsEventInTheAvroText() {
        EnrichedEvent event = EnrichedEvent.newBuilder().setTenantId("acme").setEventId(ID).setType("order.created")
                .setEventTime(Instant.parse("2026-03-01T10:00:00Z")).setReceivedAt(Instant.parse("2026-03-01T10:00:01Z"))
                .setProperties("{\"total\": 1e400}").setIngestLagMs(1000).setRawPartition(0).setRawOffset(1)
                .setTags(Map.of()).build();
        // as RejectedRows writes it
        var letter = Letters.router("acme", event.toString(), null, 0).letter();
        assertEquals(Optional.of(new LetteredEvent("acme", UUID.fromString(ID))), PAYLOADS.eventOf(letter));
        assertTrue(PAYLOADS.rawEvent(letter).isEmpty(), "an enriched record is no raw event");
    }

    private static DeadLetter enricher(String payload) {
        return new DeadLetter(payload, "acme", "enricher", "invalid_event", "x", "x", 1, Topics.RAW, 0, 0, null);
    }
}

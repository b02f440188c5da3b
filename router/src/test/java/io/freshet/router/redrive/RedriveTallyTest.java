package io.freshet.router.redrive;

import io.freshet.router.deadletter.DeadLetterFilter;
import io.freshet.router.deadletter.FoundLetter;
import io.freshet.router.deadletter.LetterPayloads;
import io.freshet.router.deadletter.LetteredEvent;
import io.freshet.router.deadletter.Letters;
import io.freshet.router.storage.StoredEvents;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedriveTallyTest {

    private static final LetterPayloads PAYLOADS = new LetterPayloads(Letters.JSON);
    private static final Redrive STARTED = new Redrive("r1", DeadLetterFilter.of("acme", null, null), Redrive.State.RUNNING,
            0, 0, 0, 0, Map.of(), 0, 0, Map.of(), 0, null, null, Instant.now(), null);

    @Test
    void itTakesTheFirstLetterOfEachRawEventAndSkipsTheRestByCauseAndReason() {
        var tally = new RedriveTally(STARTED);
        String a = UUID.randomUUID().toString();
        Optional<RedrivenEvent> taken = take(tally, Letters.enricher("acme", "rule_violation", Letters.rawPayload("acme", a, "u1"), null, 1));
        assertTrue(taken.isPresent());
        assertEquals(new StoredEvents.Key("acme", UUID.fromString(a), Instant.parse("2026-03-01T10:00:00.123456Z")), taken.get().key());
        assertEquals(Letters.rawPayload("acme", a, "u1"), taken.get().payload(), "sent back unchanged");

        assertTrue(take(tally, Letters.enricher("acme", "tenant_paused", Letters.rawPayload("acme", a, "u1"), null, 2)).isEmpty());
        assertTrue(take(tally, Letters.router("acme", "{\"event_id\": \"" + a + "\"}", null, 3)).isEmpty());
        assertTrue(take(tally, Letters.enricher("acme", "invalid_event", "this is not json", null, 4)).isEmpty());

        Redrive shown = tally.snapshot(Redrive.State.RUNNING, null);
        assertEquals(4, shown.read());
        assertEquals(3, shown.skipped());
        assertEquals(Map.of("repeated_letter", Map.of("tenant_paused", 1L), "stage_router", Map.of("row_refused", 1L),
                "unreadable_payload", Map.of("invalid_event", 1L)), shown.skippedByCause());
        assertNull(shown.endedAt());
    }

    @Test
    void eachEventRedrivenEndsStoredDeadLetteredAgainOrPending() {
        var tally = new RedriveTally(STARTED);
        List<RedrivenEvent> events = List.of(event(tally), event(tally), event(tally), event(tally));
        tally.alreadyStored(2);
        events.forEach(tally::redriven);
        assertTrue(tally.following());

        assertEquals(1, tally.stored(List.of(events.get(0).key(), new StoredEvents.Key("acme", UUID.randomUUID(), Instant.now()))),
                "only the events it follows");
        LetteredEvent second = new LetteredEvent("acme", events.get(1).key().eventId());
        assertTrue(tally.deadLetteredAgain(second, "rule_violation"));
        assertFalse(tally.deadLetteredAgain(second, "rule_violation"), "counted once");
        assertFalse(tally.deadLetteredAgain(new LetteredEvent("other", second.eventId()), "rule_violation"), "another tenant's id");
        assertEquals(0, tally.stored(List.of(events.get(1).key())), "decided already");
        assertEquals(2, tally.pending().size());

        Redrive done = tally.snapshot(Redrive.State.DONE, null);
        assertEquals(4, done.redriven());
        assertEquals(2, done.alreadyStored());
        assertEquals(1, done.stored());
        assertEquals(1, done.deadLetteredAgain());
        assertEquals(Map.of("rule_violation", 1L), done.deadLetteredAgainByReason());
        assertEquals(2, done.pending());
        assertEquals(done.redriven(), done.stored() + done.deadLetteredAgain() + done.pending());
        assertNotNull(done.endedAt());
    }

    private static RedrivenEvent event(RedriveTally tally) {
        return take(tally, Letters.enricher("acme", "rule_violation",
                Letters.rawPayload("acme", UUID.randomUUID().toString(), "u1"), null, 0)).orElseThrow();
    }

    private static Optional<RedrivenEvent> take(RedriveTally tally, FoundLetter letter) {
        return tally.take(letter, PAYLOADS.rawEvent(letter.letter()));
    }
}

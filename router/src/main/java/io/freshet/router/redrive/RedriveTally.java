package io.freshet.router.redrive;

import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.router.deadletter.FoundLetter;
import io.freshet.router.deadletter.LetteredEvent;
import io.freshet.router.storage.StoredEvents;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a redrive decided and saw so far, and the events it still follows. Updated by the redrive's thread only;
 * {@link #snapshot} shows it.
 */
final class RedriveTally {

    static final String UNREADABLE_PAYLOAD = "unreadable_payload";
    static final String REPEATED_LETTER = "repeated_letter";

    private final Redrive started;
    private long read;
    private long redriven;
    private long alreadyStored;
    private long skipped;
    private long stored;
    private long deadLetteredAgain;
    private final Map<String, Map<String, Long>> skippedByCause = new TreeMap<>();
    private final Map<String, Long> deadLetteredAgainByReason = new TreeMap<>();
    private final Set<LetteredEvent> taken = new HashSet<>();
    private final Map<LetteredEvent, StoredEvents.Key> pending = new HashMap<>();
    private Instant followingUntil;

    RedriveTally(Redrive started) {
        this.started = started;
    }

    /**
     * Counts a letter the filter took; returns its event when the redrive takes it: a letter of a raw record, whose
     * payload is a raw event, the first letter of that event. The others are skipped, by cause and reason.
     *
     * @param raw the letter's payload as a raw event, when it is one
     */
    Optional<RedrivenEvent> take(FoundLetter found, Optional<RawEvent> raw) {
        read++;
        DeadLetter letter = found.letter();
        if (!Topics.RAW.equals(letter.sourceTopic())) {
            // a router letter holds the enriched record: raw cannot take it, a replay of the row's cause can
            return skip("stage_" + letter.stage(), found.reason());
        }
        if (raw.isEmpty()) {
            return skip(UNREADABLE_PAYLOAD, found.reason());
        }
        RawEvent event = raw.get();
        var key = new StoredEvents.Key(event.tenantId(), UUID.fromString(event.eventId()), event.eventTime());
        if (!taken.add(idOf(key))) {
            return skip(REPEATED_LETTER, found.reason());
        }
        return Optional.of(new RedrivenEvent(key, event, letter.payload()));
    }

    void alreadyStored(int events) {
        alreadyStored += events;
    }

    void redriven(RedrivenEvent event) {
        redriven++;
        pending.put(idOf(event.key()), event.key());
    }

    void following(Instant until) {
        followingUntil = until;
    }

    /** True while some event redriven is neither stored nor dead-lettered again. */
    boolean following() {
        return !pending.isEmpty();
    }

    /** The events redriven that are neither stored nor dead-lettered again yet. */
    Collection<StoredEvents.Key> pending() {
        return List.copyOf(pending.values());
    }

    /** Marks those of {@code present} it follows stored; returns how many were. */
    int stored(Collection<StoredEvents.Key> present) {
        int found = 0;
        for (StoredEvents.Key key : present) {
            if (pending.remove(idOf(key)) != null) {
                found++;
            }
        }
        stored += found;
        return found;
    }

    /** Marks the event dead-lettered again, for {@code reason}, if it follows it; true when it did. */
    boolean deadLetteredAgain(LetteredEvent event, String reason) {
        if (pending.remove(event) == null) {
            return false;
        }
        deadLetteredAgain++;
        deadLetteredAgainByReason.merge(reason, 1L, Long::sum);
        return true;
    }

    Redrive snapshot(Redrive.State state, String error) {
        Map<String, Map<String, Long>> skips = new TreeMap<>();
        skippedByCause.forEach((cause, reasons) -> skips.put(cause, new TreeMap<>(reasons)));
        return new Redrive(started.id(), started.request(), state, read, redriven, alreadyStored, skipped, skips, stored,
                deadLetteredAgain, new TreeMap<>(deadLetteredAgainByReason), pending.size(), followingUntil, error,
                started.startedAt(), state == Redrive.State.RUNNING ? null : Instant.now());
    }

    private Optional<RedrivenEvent> skip(String cause, String reason) {
        skipped++;
        skippedByCause.computeIfAbsent(cause, c -> new TreeMap<>()).merge(reason, 1L, Long::sum);
        return Optional.empty();
    }

    private static LetteredEvent idOf(StoredEvents.Key key) {
        return new LetteredEvent(key.tenantId(), key.eventId());
    }
}

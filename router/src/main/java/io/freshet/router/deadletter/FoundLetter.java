package io.freshet.router.deadletter;

import io.freshet.eventmodel.deadletter.DeadLetter;

/**
 * A dead letter as read from freshet.events.dlq: the letter, its reason code ({@link LetterReason}) and where it is
 * on the DLQ.
 */
public record FoundLetter(DeadLetter letter, String reason, int dlqPartition, long dlqOffset) {

    public static FoundLetter of(DeadLetter letter, int dlqPartition, long dlqOffset) {
        return new FoundLetter(letter, LetterReason.of(letter), dlqPartition, dlqOffset);
    }
}

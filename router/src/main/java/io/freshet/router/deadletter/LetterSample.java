package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/** One dead letter as a listing shows it: why, when, from where, and the start of its payload. */
@RegisterForReflection // a Response entity's part, unseen by Quarkus: native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LetterSample(String tenantId, String stage, String reason, String errorClass, String errorMessage,
                           Instant failedAt, int attempts, String sourceTopic, int sourcePartition, long sourceOffset,
                           int dlqPartition, long dlqOffset, String payload) {

    /** Longer payloads and messages are cut to this many characters (a payload may be 32 KiB of properties). */
    static final int MAX_TEXT = 500;

    static LetterSample of(FoundLetter found) {
        DeadLetter letter = found.letter();
        return new LetterSample(letter.tenantId(), letter.stage(), found.reason(), letter.errorClass(),
                cut(letter.errorMessage()), letter.failedAt(), letter.attempts(), letter.sourceTopic(),
                letter.sourcePartition(), letter.sourceOffset(), found.dlqPartition(), found.dlqOffset(), cut(letter.payload()));
    }

    static String cut(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }
}

package io.freshet.enricher.processing;

import io.freshet.eventmodel.deadletter.DeadLetterReason;
/** A raw record that is not JSON, or not the envelope. */
public class InvalidRawEventException extends RejectedEventException {

    public InvalidRawEventException(String message, Throwable cause) {
        super(null, message, cause);
    }

    @Override
    public DeadLetterReason reason() {
        return DeadLetterReason.INVALID_EVENT;
    }
}

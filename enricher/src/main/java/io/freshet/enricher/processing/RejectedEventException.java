package io.freshet.enricher.processing;

/** The event itself cannot be enriched: no retry helps, it goes to the DLQ with this message as the reason. */
public abstract class RejectedEventException extends Exception {

    protected RejectedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}

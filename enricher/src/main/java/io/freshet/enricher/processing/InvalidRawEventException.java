package io.freshet.enricher.processing;

/** A raw record that is not JSON, or not the envelope. */
public class InvalidRawEventException extends RejectedEventException {

    public InvalidRawEventException(String message, Throwable cause) {
        super(null, message, cause);
    }
}

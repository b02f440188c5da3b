package io.freshet.enricher.processing;

/** A raw record that can never be enriched as it is (not JSON, or not the envelope): no retry helps. */
public class InvalidRawEventException extends Exception {

    public InvalidRawEventException(String message, Throwable cause) {
        super(message, cause);
    }
}

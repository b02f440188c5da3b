package io.freshet.ingest.sink;

/**
 * Kafka could not take a request's events within the bound. Unless {@link #outcomeUnknown()}, none of them
 * is visible to read_committed readers; if the commit's answer never came they may be, and a retry with
 * the same event_ids is the way to be sure.
 */
public class KafkaUnavailableException extends RuntimeException {

    private final boolean outcomeUnknown;

    public KafkaUnavailableException(String message, boolean outcomeUnknown) {
        super(message, null, false, false);
        this.outcomeUnknown = outcomeUnknown;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}

package io.freshet.ingest.sink;

/** Kafka could not take a request's events in time; the client should retry later with the same ids. */
public class KafkaUnavailableException extends RuntimeException {

    public KafkaUnavailableException(String message) {
        super(message, null, false, false);
    }
}

package io.freshet.eventmodel.stack;

import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;

/** Raw events as the gateway writes them to freshet.events.raw, for tests that feed the enricher directly. */
public final class RawEvents {

    private RawEvents() {
    }

    /** A user's event received now, keyed like the gateway keys it (one user's events in one partition). */
    public static ProducerRecord<String, String> record(String tenant, String user, String eventId, String type) {
        return record(tenant, user, eventId, type, Instant.now());
    }

    /** The same, received at the given time (e.g. for events that must fall into one minute's window). */
    public static ProducerRecord<String, String> record(String tenant, String user, String eventId, String type,
                                                        Instant receivedAt) {
        return new ProducerRecord<>(Topics.RAW, tenant + "/" + user, """
                {"tenant_id":"%s","event_id":"%s","type":"%s","received_at":"%s","user_id":"%s"}"""
                .formatted(tenant, eventId, type, receivedAt, user));
    }
}

package io.freshet.sources.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event as a source read it, before validation: the JSON of the ingest contract (with its {@code event_id} set,
 * so a re-read gives the same id), or why it could not be read.
 *
 * @param tenantId the tenant the source belongs to; null when the source cannot tell
 * @param event    the event, or null when it could not be read ({@code problem} says why)
 * @param origin   where it came from, for a dead letter: the MQTT topic, the database source
 * @param payload  what the source delivered, unchanged, for a dead letter
 */
public record SourceEvent(String tenantId, ObjectNode event, String problem, String origin, String payload) {

    public static SourceEvent of(String tenantId, ObjectNode event, String origin, String payload) {
        return new SourceEvent(tenantId, event, null, origin, payload);
    }

    public static SourceEvent unreadable(String tenantId, String problem, String origin, String payload) {
        return new SourceEvent(tenantId, null, problem, origin, payload);
    }
}

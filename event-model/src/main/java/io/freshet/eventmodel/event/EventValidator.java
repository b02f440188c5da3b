package io.freshet.eventmodel.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.freshet.eventmodel.event.EventTypes;
import io.freshet.eventmodel.event.RawEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Checks each event against the envelope of the ingest contract and normalizes the good ones into
 * {@link RawEvent}s; bad ones are rejected one by one so the rest of the request still counts.
 */
@ApplicationScoped
public class EventValidator {

    static final int MAX_ID_LENGTH = 256;
    static final Duration MAX_FUTURE = Duration.ofHours(1);
    static final int MAX_PROPERTIES_DEPTH = 8;
    static final int MAX_PROPERTIES_CHARS = 32 * 1024;
    static final int MAX_USER_AGENT_CHARS = 1024;

    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    /** The accepted events and the errors of the rejected ones, in request order. */
    public record Result(List<RawEvent> accepted, List<EventError> errors) {
    }

    /**
     * @param userAgent the request's User-Agent header, recorded on each event that names no {@code user_agent} of
     *                  its own (a server relaying a device's events does)
     */
    public Result validate(List<JsonNode> events, String tenantId, Instant receivedAt, String userAgent) {
        List<RawEvent> accepted = new ArrayList<>(events.size());
        List<EventError> errors = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            try {
                accepted.add(toRawEvent(events.get(i), tenantId, receivedAt, userAgent));
            } catch (InvalidEvent e) {
                errors.add(new EventError(i, e.code, e.getMessage()));
            }
        }
        return new Result(accepted, errors);
    }

    private RawEvent toRawEvent(JsonNode event, String tenantId, Instant receivedAt, String userAgent) {
        if (!event.isObject()) {
            throw new InvalidEvent("not_an_object", "An event must be a JSON object");
        }
        JsonNode type = event.get("type");
        if (type == null || !type.isTextual() || !EventTypes.isValid(type.textValue())) {
            throw new InvalidEvent("invalid_type", "'type' is required: a name of at most " + EventTypes.MAX_LENGTH
                    + " printable characters that starts with a letter and does not end with a space");
        }
        JsonNode properties = event.get("properties");
        if (properties != null && !properties.isNull()) {
            checkProperties(properties);
        }
        return new RawEvent(tenantId, eventId(event.get("event_id")), type.textValue(),
                timestamp(event.get("timestamp"), receivedAt), receivedAt,
                optionalId(event, "user_id"), optionalId(event, "session_id"),
                properties == null || properties.isNull() ? null : properties,
                bounded(event.path("user_agent").isTextual() ? event.get("user_agent").textValue() : userAgent));
    }

    private static String bounded(String userAgent) {
        return userAgent == null || userAgent.length() <= MAX_USER_AGENT_CHARS ? userAgent
                : userAgent.substring(0, MAX_USER_AGENT_CHARS);
    }

    private static void checkProperties(JsonNode properties) {
        if (!properties.isObject()) {
            throw new InvalidEvent("invalid_properties", "'properties' must be a JSON object");
        }
        checkValues(properties, 1);
        if (properties.toString().length() > MAX_PROPERTIES_CHARS) {
            throw new InvalidEvent("properties_too_large", "'properties' may hold at most " + MAX_PROPERTIES_CHARS
                    + " characters of JSON");
        }
    }

    /** Depth is bounded so that every consumer can read an event; numbers must survive a JSON round trip. */
    private static void checkValues(JsonNode node, int depth) {
        if (depth > MAX_PROPERTIES_DEPTH) {
            throw new InvalidEvent("properties_too_deep", "'properties' may nest at most " + MAX_PROPERTIES_DEPTH + " levels");
        }
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new InvalidEvent("invalid_number", "A number in 'properties' is out of the range of a double");
        }
        node.forEach(child -> checkValues(child, depth + 1));
    }

    private String eventId(JsonNode id) {
        if (id == null || id.isNull()) {
            return ids.generate().toString();
        }
        try {
            return UUID.fromString(id.asText()).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidEvent("invalid_event_id", "'event_id' must be a UUID");
        }
    }

    private static Instant timestamp(JsonNode timestamp, Instant receivedAt) {
        if (timestamp == null || timestamp.isNull()) {
            return null;
        }
        try {
            Instant time = OffsetDateTime.parse(timestamp.asText()).toInstant();
            if (time.isAfter(receivedAt.plus(MAX_FUTURE))) {
                throw new InvalidEvent("timestamp_in_future", "'timestamp' is more than " + MAX_FUTURE.toHours()
                        + " h in the future");
            }
            return time;
        } catch (DateTimeParseException e) {
            throw new InvalidEvent("invalid_timestamp", "'timestamp' must be ISO-8601 with an offset, e.g. 2026-01-31T12:00:00Z");
        }
    }

    private static String optionalId(JsonNode event, String field) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isEmpty() || value.textValue().length() > MAX_ID_LENGTH) {
            throw new InvalidEvent("invalid_" + field, "'" + field + "' must be a non-empty string of at most "
                    + MAX_ID_LENGTH + " characters");
        }
        return value.textValue();
    }

    private static final class InvalidEvent extends RuntimeException {
        private final String code;

        InvalidEvent(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}

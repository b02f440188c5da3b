package io.freshet.ingest.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.eventmodel.event.EventError;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * Maps a message of the Segment tracking spec onto a Freshet event without losing any of it:
 * <ul>
 * <li>{@code messageId} becomes {@code event_id}: itself when it is a UUID, else a UUID derived from it, so an SDK's
 * retry of the same message is deduplicated like any retry;</li>
 * <li>the type is a track's {@code event} as sent ("Order Completed"), else the call: page, screen, identify, group
 * or alias;</li>
 * <li>{@code userId}, else {@code anonymousId}, is the user; {@code properties} (track, page, screen) or
 * {@code traits} (identify, group) are the properties;</li>
 * <li>everything else of the message (the call, ids, name, context, integrations, the client's own timestamps) is kept
 * under the property {@value #ENVELOPE};</li>
 * <li>{@code context.userAgent} is the user agent the enricher parses;</li>
 * <li>the time is corrected for the client's clock as the spec says: {@code receivedAt - (sentAt - timestamp)}.</li>
 * </ul>
 */
@ApplicationScoped
public class SegmentMessages {

    /** The property holding the rest of the message. */
    public static final String ENVELOPE = "$segment";
    /** The spec's bound on one message. */
    static final int MAX_MESSAGE_BYTES = 32 * 1024;
    private static final List<String> ENVELOPE_FIELDS = List.of("messageId", "anonymousId", "userId", "name", "groupId",
            "previousId", "integrations");

    private final ObjectMapper json;

    public SegmentMessages(ObjectMapper json) {
        this.json = json;
    }

    /** One message, of this call (null: none known), with what the batch around it gives all its messages. */
    public record Message(int index, JsonNode body, SegmentCall call, JsonNode batchContext, String batchSentAt) {
    }

    /** The Freshet event of a message, or the reason it has none. */
    public sealed interface Mapped {
        record Event(int index, ObjectNode event) implements Mapped {
        }

        record Refused(EventError error) implements Mapped {
        }
    }

    public Mapped map(Message message, Instant receivedAt) {
        try {
            return new Mapped.Event(message.index(), event(message, receivedAt));
        } catch (Refusal refusal) {
            return new Mapped.Refused(new EventError(message.index(), refusal.code, refusal.getMessage()));
        }
    }

    private ObjectNode event(Message message, Instant receivedAt) {
        JsonNode body = message.body();
        if (!body.isObject()) {
            throw new Refusal("not_an_object", "A message must be a JSON object");
        }
        if (body.toString().getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw new Refusal("message_too_large", "A message may be at most " + MAX_MESSAGE_BYTES / 1024 + " KB");
        }
        SegmentCall call = message.call();
        if (call == null) {
            throw new Refusal("invalid_call", "A message's 'type' must be one of track, page, screen, identify, group, alias");
        }
        ObjectNode event = json.createObjectNode();
        JsonNode messageId = body.get("messageId");
        if (messageId != null && !messageId.isNull()) {
            event.put("event_id", eventId(messageId.asText()));
        }
        event.put("type", type(call, body));
        String user = text(body, "userId") != null ? text(body, "userId") : text(body, "anonymousId");
        if (user == null) {
            throw new Refusal("missing_user", "A " + call.wireName() + " call needs 'userId' or 'anonymousId'");
        }
        event.put("user_id", user);
        String timestamp = text(body, "originalTimestamp") != null ? text(body, "originalTimestamp") : text(body, "timestamp");
        String sentAt = text(body, "sentAt") != null ? text(body, "sentAt") : message.batchSentAt();
        if (timestamp != null) {
            event.put("timestamp", corrected(timestamp, sentAt, receivedAt));
        }
        JsonNode context = context(body.get("context"), message.batchContext());
        if (context.path("userAgent").isTextual()) {
            event.put("user_agent", context.get("userAgent").textValue());
        }
        ObjectNode properties = json.createObjectNode();
        JsonNode given = body.get(call == SegmentCall.IDENTIFY || call == SegmentCall.GROUP ? "traits" : "properties");
        if (given != null && given.isObject()) {
            properties.setAll((ObjectNode) given);
        } else if (given != null && !given.isNull()) {
            throw new Refusal("invalid_properties", "'properties' and 'traits' must be JSON objects");
        }
        properties.set(ENVELOPE, envelope(body, call, context, timestamp, sentAt));
        event.set("properties", properties);
        return event;
    }

    private static String type(SegmentCall call, JsonNode body) {
        if (call != SegmentCall.TRACK) {
            return call.wireName();
        }
        String name = text(body, "event");
        if (name == null || name.isBlank()) {
            throw new Refusal("missing_event", "A track call needs 'event', the name of what happened");
        }
        return name;
    }

    private ObjectNode envelope(JsonNode body, SegmentCall call, JsonNode context, String timestamp, String sentAt) {
        ObjectNode envelope = json.createObjectNode().put("type", call.wireName());
        ENVELOPE_FIELDS.stream().filter(body::hasNonNull).forEach(field -> envelope.set(field, body.get(field)));
        if (!context.isEmpty()) {
            envelope.set("context", context);
        }
        if (timestamp != null) {
            envelope.put("originalTimestamp", timestamp);
        }
        if (sentAt != null) {
            envelope.put("sentAt", sentAt);
        }
        return envelope;
    }

    /** The batch's context under the message's own (the message's fields win); the batch's itself when it has none. */
    private ObjectNode context(JsonNode own, JsonNode batch) {
        if ((own == null || !own.isObject()) && batch != null && batch.isObject()) {
            return (ObjectNode) batch; // shared by the batch's events, not copied for each
        }
        ObjectNode merged = json.createObjectNode();
        if (batch != null && batch.isObject()) {
            merged.setAll((ObjectNode) batch);
        }
        if (own != null && own.isObject()) {
            merged.setAll((ObjectNode) own);
        }
        return merged;
    }

    static String eventId(String messageId) {
        try {
            return UUID.fromString(messageId).toString();
        } catch (IllegalArgumentException notAUuid) {
            return UUID.nameUUIDFromBytes(("segment-message:" + messageId).getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    /** The spec's clock-skew correction; the client's time as sent when it sent no sentAt. */
    static String corrected(String timestamp, String sentAt, Instant receivedAt) {
        Instant happened = instant(timestamp, "timestamp");
        if (sentAt == null) {
            return happened.toString();
        }
        return receivedAt.minus(Duration.between(happened, instant(sentAt, "sentAt"))).toString();
    }

    private static Instant instant(String value, String field) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refusal("invalid_timestamp", "'" + field + "' must be ISO-8601 with an offset, e.g. 2026-01-31T12:00:00Z");
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static final class Refusal extends RuntimeException {
        private final String code;

        Refusal(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}

package io.freshet.eventmodel.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventValidatorTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final ObjectMapper json = new ObjectMapper();
    private final EventValidator validator = new EventValidator();

    @Test
    void acceptsAValidEventAndKeepsItsFields() throws Exception {
        String id = UUID.randomUUID().toString();
        var result = validate("""
                {"event_id":"%s","type":"order.created","timestamp":"2026-06-01T11:59:00+02:00",
                 "user_id":"u1","session_id":"s1","properties":{"total":12.5}}""".formatted(id));
        assertEquals(List.of(), result.errors());
        var event = result.accepted().getFirst();
        assertEquals("acme", event.tenantId());
        assertEquals(id, event.eventId());
        assertEquals(Instant.parse("2026-06-01T09:59:00Z"), event.timestamp());
        assertEquals(NOW, event.receivedAt());
        assertEquals("u1", event.userId());
        assertEquals(12.5, event.properties().get("total").doubleValue());
    }

    @Test
    void assignsTimeOrderedIdsWhenAbsent() throws Exception {
        var result = validate("[{\"type\":\"a\"},{\"type\":\"a\"}]");
        var first = UUID.fromString(result.accepted().get(0).eventId());
        var second = UUID.fromString(result.accepted().get(1).eventId());
        assertEquals(7, first.version());
        assertTrue(first.toString().compareTo(second.toString()) < 0, "ids sort in the order they were made");
        assertNull(result.accepted().getFirst().timestamp(), "no client time: the pipeline uses received_at");
    }

    @Test
    void rejectsBadEventsOneByOneWithTheirIndex() throws Exception {
        var result = validate("""
                [{"type":"ok"}, 42, {"type":"9starts.with.digit"}, {}, {"type":"a","event_id":"nope"},
                 {"type":"a","timestamp":"yesterday"}, {"type":"a","timestamp":"2026-06-01T15:00:00Z"},
                 {"type":"a","properties":[1]}, {"type":"a","user_id":17}, {"type":"a","session_id":""}]""");
        assertEquals(1, result.accepted().size());
        assertEquals(List.of(
                        new Code(1, "not_an_object"), new Code(2, "invalid_type"), new Code(3, "invalid_type"),
                        new Code(4, "invalid_event_id"), new Code(5, "invalid_timestamp"),
                        new Code(6, "timestamp_in_future"), new Code(7, "invalid_properties"),
                        new Code(8, "invalid_user_id"), new Code(9, "invalid_session_id")),
                result.errors().stream().map(e -> new Code(e.index(), e.code())).toList());
    }

    @Test
    void boundsTheSizeDepthAndNumbersOfProperties() throws Exception {
        String deep = "{\"a\":".repeat(9) + "1" + "}".repeat(9);
        String nearlyDeep = "{\"a\":".repeat(7) + "1" + "}".repeat(7);
        var result = validate("""
                [{"type":"a","properties":%s}, {"type":"a","properties":%s},
                 {"type":"a","properties":{"big":"%s"}}, {"type":"a","properties":{"n":1e400}},
                 {"type":"a","properties":{"n":123456789012345678901234567890}}]"""
                .formatted(deep, nearlyDeep, "x".repeat(EventValidator.MAX_PROPERTIES_CHARS)));
        assertEquals(List.of(new Code(0, "properties_too_deep"), new Code(2, "properties_too_large"),
                        new Code(3, "invalid_number")),
                result.errors().stream().map(e -> new Code(e.index(), e.code())).toList());
        assertEquals(2, result.accepted().size());
    }

    private record Code(int index, String code) {
    }

    private EventValidator.Result validate(String body) throws Exception {
        JsonNode node = json.readTree(body);
        List<JsonNode> events = node.isArray() ? toList(node) : List.of(node);
        return validator.validate(events, "acme", NOW, "curl/8.5");
    }

    private static List<JsonNode> toList(JsonNode array) {
        var list = new java.util.ArrayList<JsonNode>();
        array.forEach(list::add);
        return list;
    }
}

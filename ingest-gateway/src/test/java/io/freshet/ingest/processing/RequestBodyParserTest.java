package io.freshet.ingest.processing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.http.ApiException;
import jakarta.ws.rs.core.Response.Status;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestBodyParserTest {

    private final RequestBodyParser parser = new RequestBodyParser(new ObjectMapper(), 3);

    @Test
    void readsASingleEventAnArrayAndNdjson() {
        assertEquals(1, parse("{\"type\":\"a\"}", "application/json").size());
        assertEquals(2, parse("[{\"type\":\"a\"},{\"type\":\"b\"}]", "application/json; charset=utf-8").size());
        assertEquals(3, parse("{\"type\":\"a\"}\n\n{\"type\":\"b\"}\r\n{\"type\":\"c\"}\n", "application/x-ndjson").size());
        assertEquals(2, parse("[{\"type\":\"a\"},{\"type\":\"b\"}]", "text/plain;charset=UTF-8").size(), "sendBeacon's JSON");
    }

    @Test
    void refusesWholeRequestsWithThePreciseStatus() {
        assertRefused(Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "{}", "text/csv");
        assertRefused(Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "{}", null);
        assertRefused(Status.BAD_REQUEST, "empty_body", "  ", "application/json");
        assertRefused(Status.BAD_REQUEST, "empty_body", "[]", "application/json");
        assertRefused(Status.BAD_REQUEST, "malformed_json", "{\"type\":", "application/json");
        assertRefused(Status.BAD_REQUEST, "malformed_json", "{\"type\":\"a\"}\nnot json", "application/x-ndjson");
        assertRefused(Status.REQUEST_ENTITY_TOO_LARGE, "too_many_events", "[{},{},{},{}]", "application/json");
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] body = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        var e = assertThrows(ApiException.class, () -> parser.parse(body, "application/json"));
        assertEquals("invalid_utf8", e.code());
    }

    private java.util.List<com.fasterxml.jackson.databind.JsonNode> parse(String body, String contentType) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private void assertRefused(Status status, String code, String body, String contentType) {
        var e = assertThrows(ApiException.class, () -> parse(body, contentType));
        assertEquals(status, e.status());
        assertEquals(code, e.code());
    }
}

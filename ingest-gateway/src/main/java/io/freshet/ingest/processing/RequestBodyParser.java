package io.freshet.ingest.processing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.http.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import io.freshet.ingest.config.IngestConfig;
import jakarta.inject.Inject;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a request body (one JSON event, a JSON array, or NDJSON) into event nodes, or refuses it whole. JSON may
 * come as {@code text/plain}: what a browser's {@code navigator.sendBeacon} sends without a CORS preflight.
 */
@ApplicationScoped
public class RequestBodyParser {

    public static final String NDJSON = "application/x-ndjson";
    private static final Set<String> JSON_TYPES = Set.of("application/json", "text/plain");
    /** RudderStack's Node SDK labels its gzipped JSON so (axios's default for a binary body). */
    private static final String FORM = "application/x-www-form-urlencoded";

    private final ObjectMapper json;
    private final int maxEvents;

    @Inject
    public RequestBodyParser(ObjectMapper json, IngestConfig config) {
        this(json, config.maxEventsPerRequest());
    }

    RequestBodyParser(ObjectMapper json, int maxEvents) {
        this.json = json;
        this.maxEvents = maxEvents;
    }

    public List<JsonNode> parse(byte[] body, String contentType) {
        String mediaType = mediaType(contentType, true);
        String text = text(body);
        List<JsonNode> events = mediaType.equals(NDJSON) ? ndjson(text) : jsonDocument(text);
        if (events.isEmpty()) {
            throw new ApiException(Status.BAD_REQUEST, "empty_body", "The request contains no events");
        }
        checkCount(events.size());
        return events;
    }

    /** One JSON document: the body of a Segment-compatible call, whatever an SDK calls its JSON. */
    public JsonNode parseDocument(byte[] body, String contentType) {
        if (!FORM.equals(mediaTypeOf(contentType))) {
            mediaType(contentType, false);
        }
        return read(text(body), "The body is not valid JSON");
    }

    public void checkCount(int events) {
        if (events > maxEvents) {
            throw new ApiException(Status.REQUEST_ENTITY_TOO_LARGE, "too_many_events",
                    "A request may carry at most " + maxEvents + " events, got " + events);
        }
    }

    private static String mediaTypeOf(String contentType) {
        return contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase();
    }

    private static String mediaType(String contentType, boolean ndjsonAllowed) {
        String mediaType = mediaTypeOf(contentType);
        if (!JSON_TYPES.contains(mediaType) && !(ndjsonAllowed && mediaType.equals(NDJSON))) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content-Type must be application/json, text/plain (JSON, as sendBeacon sends it)"
                            + (ndjsonAllowed ? " or " + NDJSON : "") + ", got '" + mediaType + "'");
        }
        return mediaType;
    }

    private static String text(byte[] body) {
        String text = utf8(body);
        if (text.isBlank()) {
            throw new ApiException(Status.BAD_REQUEST, "empty_body", "The request body is empty");
        }
        return text;
    }

    private List<JsonNode> jsonDocument(String text) {
        JsonNode root = read(text, "The body is not valid JSON");
        if (root.isArray()) {
            List<JsonNode> events = new ArrayList<>(root.size());
            root.forEach(events::add);
            return events;
        }
        return List.of(root);
    }

    private List<JsonNode> ndjson(String text) {
        List<JsonNode> events = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                events.add(read(lines[i], "Line " + (i + 1) + " is not valid JSON"));
            }
        }
        return events;
    }

    private JsonNode read(String text, String problem) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(Status.BAD_REQUEST, "malformed_json", problem + ": " + e.getOriginalMessage());
        }
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_utf8", "The body is not valid UTF-8");
        }
    }
}

package io.freshet.analytics.stats;

import com.clickhouse.client.api.query.GenericRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.smallrye.graphql.api.AdaptToScalar;
import io.smallrye.graphql.api.Scalar;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's stored events, newest first, a page at a time. The cursor names the last event of the previous page
 * (its time and id), so pages neither repeat nor skip events while new ones arrive.
 */
@ApplicationScoped
public class RecentEvents {

    /** {@code properties} as the event's JSON object (REST) or its JSON text (GraphQL). */
    public record StoredEvent(String eventId, String type, Instant eventTime, Instant receivedAt, String userId,
                              String sessionId, @AdaptToScalar(Scalar.String.class) JsonNode properties, String browser,
                              String os, String deviceClass) {
    }

    public record Page(List<StoredEvent> events, String nextCursor) {
    }

    private final AnalyticsStore store;
    private final ObjectMapper json;

    public RecentEvents(AnalyticsStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** @param after the last event of the previous page; null for the first page */
    public Page page(String tenant, TimeRange range, String type, int limit, Cursor after) {
        Map<String, Object> params = AnalyticsQueries.params(tenant, range, type);
        params.put("limit", limit);
        String afterFilter = "";
        if (after != null) {
            params.put("cursor_time", after.timeMillis());
            params.put("cursor_id", after.eventId().toString());
            afterFilter = "AND (event_time, event_id) < (fromUnixTimestamp64Milli({cursor_time:Int64}, 'UTC'), toUUID({cursor_id:String}))";
        }
        String sql = """
                SELECT toString(event_id) AS id, type, event_time, received_at, user_id, session_id, properties, browser, os, device_class
                FROM freshet.events
                WHERE tenant_id = {tenant:String} AND event_time >= {from:DateTime('UTC')} AND event_time < {to:DateTime('UTC')} %s %s
                ORDER BY event_time DESC, event_id DESC LIMIT {limit:UInt32}"""
                .formatted(AnalyticsQueries.typeFilter(type), afterFilter);
        List<StoredEvent> events = store.query(tenant, "events", sql, params).stream().map(this::event).toList();
        String next = events.size() < limit ? null
                : new Cursor(events.getLast().eventTime().toEpochMilli(), UUID.fromString(events.getLast().eventId())).encode();
        return new Page(events, next);
    }

    private StoredEvent event(GenericRecord row) {
        JsonNode properties;
        try {
            properties = json.readTree(row.getString("properties"));
        } catch (Exception e) {
            properties = json.getNodeFactory().textNode(row.getString("properties"));
        }
        return new StoredEvent(row.getString("id"), row.getString("type"), row.getInstant("event_time"),
                row.getInstant("received_at"), row.getString("user_id"), row.getString("session_id"), properties,
                row.getString("browser"), row.getString("os"), row.getString("device_class"));
    }


    /** Opaque to clients: base64url of "{@code <event time ms>,<event id>}". */
    record Cursor(long timeMillis, UUID eventId) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((timeMillis + "," + eventId).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(",", 2);
                return new Cursor(Long.parseLong(parts[0]), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw new AnalyticsException(Status.BAD_REQUEST, "invalid_cursor", "'cursor' is not one this API gave out");
            }
        }
    }
}

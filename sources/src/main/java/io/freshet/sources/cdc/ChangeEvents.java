package io.freshet.sources.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.engine.ChangeEvent;
import io.freshet.sources.intake.SourceEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A row change (Debezium's JSON) as an event: {@code db.<table>.<insert|update|delete>} (rows read by a snapshot:
 * {@code db.<table>.snapshot}), the rows before and after as properties, the commit time as its time, and an
 * {@code event_id} named by the change's position in the log (LSN) and row, so a change read again is the same event.
 */
@ApplicationScoped
public class ChangeEvents {

    static final Map<String, String> OPERATIONS = Map.of("c", "insert", "u", "update", "d", "delete", "r", "snapshot");

    private final ObjectMapper json;

    public ChangeEvents(ObjectMapper json) {
        this.json = json;
    }

    /** The event of a change; empty for what is not a row change (a truncate, a logical message, a tombstone). */
    Optional<SourceEvent> of(String tenantId, String sourceName, ChangeEvent<String, String> change) {
        if (change.value() == null) {
            return Optional.empty();
        }
        String origin = "postgres:" + tenantId + "/" + sourceName;
        JsonNode value;
        try {
            value = json.readTree(change.value());
        } catch (Exception e) {
            return Optional.of(SourceEvent.unreadable(tenantId, "The change is not JSON: " + e.getMessage(), origin, change.value()));
        }
        String operation = OPERATIONS.get(value.path("op").asText());
        if (operation == null) {
            return Optional.empty();
        }
        JsonNode source = value.path("source");
        String table = source.path("table").asText();
        ObjectNode position = json.createObjectNode()
                .put("schema", source.path("schema").asText())
                .put("table", table)
                .put("lsn", source.path("lsn").asLong())
                .put("tx_id", source.path("txId").asLong())
                .put("snapshot", !"false".equals(source.path("snapshot").asText("false")));
        ObjectNode properties = json.createObjectNode();
        properties.set("before", value.get("before"));
        properties.set("after", value.get("after"));
        properties.set("source", position);
        ObjectNode event = json.createObjectNode()
                .put("event_id", eventId(tenantId, sourceName, source, operation, change.key()))
                .put("type", "db." + table + "." + operation)
                .put("timestamp", Instant.ofEpochMilli(source.path("ts_ms").asLong()).toString());
        event.set("properties", properties);
        return Optional.of(SourceEvent.of(tenantId, event, origin, change.value()));
    }

    /** The change's place in its database's log and its row: the same on every read of it, different for any other change. */
    private static String eventId(String tenantId, String sourceName, JsonNode source, String operation, String key) {
        String name = String.join("/", "postgres", tenantId, sourceName, source.path("lsn").asText(),
                source.path("schema").asText(), source.path("table").asText(), operation, String.valueOf(key));
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}

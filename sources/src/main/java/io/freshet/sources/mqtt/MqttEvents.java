package io.freshet.sources.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.eventmodel.topic.MqttTopics;
import io.freshet.sources.intake.SourceEvent;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * An MQTT message as an event of the ingest contract: the tenant and type from its topic
 * ({@code freshet/<tenant>/<type>}), the rest from its JSON payload. A device may send a flat reading such as
 * {@code {"temperature": 21.5}}: fields outside the contract's go into {@code properties}.
 */
@ApplicationScoped
public class MqttEvents {

    /** The ingest contract's fields; any other field of a payload is a property. */
    static final Set<String> ENVELOPE = Set.of("event_id", "type", "timestamp", "user_id", "session_id", "properties", "user_agent");

    private final ObjectMapper json;
    /** A payload is one JSON value: "21.5 C" is not JSON, though it starts with a number. */
    private final ObjectReader payloads;

    public MqttEvents(ObjectMapper json) {
        this.json = json;
        this.payloads = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The event of a message; a new event id is recorded in {@code deliveries}, its record added to {@code records}. */
    SourceEvent of(MqttPublishMessage message, MqttDeliveries deliveries, List<ProducerRecord<String, byte[]>> records) {
        String topic = message.topicName();
        byte[] bytes = message.payload().getBytes();
        String payload = new String(bytes, StandardCharsets.UTF_8);
        var address = MqttTopics.parse(topic);
        if (address.isEmpty()) {
            return SourceEvent.unreadable(null, "MQTT topic '" + topic + "' is not freshet/<tenant>/<type>", topic, payload);
        }
        String tenantId = address.get().tenantId();
        JsonNode body;
        try {
            body = payloads.readTree(bytes);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException parsing ? parsing.getOriginalMessage() : e.getMessage();
            return SourceEvent.unreadable(tenantId, "The payload is not JSON: " + reason, topic, payload);
        }
        if (body == null || !body.isObject()) {
            return SourceEvent.unreadable(tenantId, "The payload must be a JSON object", topic, payload);
        }
        String type = address.get().type();
        if (body.hasNonNull("type") && !type.equals(body.get("type").asText())) {
            return SourceEvent.unreadable(tenantId, "The payload's type '" + body.get("type").asText()
                    + "' is not the topic's '" + type + "'", topic, payload);
        }
        ObjectNode event = envelope((ObjectNode) body);
        event.put("type", type);
        if (!event.hasNonNull("event_id")) {
            event.put("event_id", deliveries.eventIdOf(message.messageId(), message.isDup(), digest(topic, bytes), records));
        }
        return SourceEvent.of(tenantId, event, topic, payload);
    }

    private ObjectNode envelope(ObjectNode body) {
        ObjectNode event = json.createObjectNode();
        ObjectNode extra = json.createObjectNode();
        body.properties().forEach(field -> (ENVELOPE.contains(field.getKey()) ? event : extra).set(field.getKey(), field.getValue()));
        if (!extra.isEmpty()) {
            JsonNode properties = event.get("properties");
            if (properties == null || properties.isNull()) {
                event.set("properties", extra);
            } else if (properties.isObject()) {
                extra.setAll((ObjectNode) properties); // the explicit properties win over flat fields of the same name
                event.set("properties", extra);
            } // properties of another kind: the validator refuses them
        }
        return event;
    }

    private static String digest(String topic, byte[] payload) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(topic.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(payload), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

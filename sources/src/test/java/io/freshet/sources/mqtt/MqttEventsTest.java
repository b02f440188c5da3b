package io.freshet.sources.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.sources.intake.SourceEvent;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MQTT messages as events: the address from the topic, flat readings as properties, and the ids of resent messages. */
class MqttEventsTest {

    private final MqttEvents events = new MqttEvents(new ObjectMapper());
    private final List<ProducerRecord<String, byte[]>> idRecords = new ArrayList<>();

    @Test
    void aFlatReadingBecomesAnEventOfTheTopicsTenantAndType() {
        var deliveries = new MqttDeliveries("session", new HashMap<>());
        SourceEvent event = events.of(message(7, false, "freshet/acme/reading",
                "{\"temperature\":21.5,\"user_id\":\"device-1\",\"properties\":{\"room\":\"lab\"}}"), deliveries, idRecords);

        assertEquals("acme", event.tenantId());
        assertEquals("reading", event.event().get("type").asText());
        assertEquals("device-1", event.event().get("user_id").asText());
        assertEquals("{\"temperature\":21.5,\"room\":\"lab\"}", event.event().get("properties").toString());
        // the id given is recorded, keyed by session and packet id, before the event is written
        assertEquals(1, idRecords.size());
        assertEquals(Topics.SOURCES_MQTT_DELIVERIES, idRecords.getFirst().topic());
        assertEquals("session/7", idRecords.getFirst().key());
        assertTrue(new String(idRecords.getFirst().value(), StandardCharsets.UTF_8).endsWith(event.event().get("event_id").asText()));
    }

    @Test
    void aResentMessageGetsItsFirstIdAndANewMessageOnTheSamePacketIdANewOne() {
        var deliveries = new MqttDeliveries("session", new HashMap<>());
        String first = idOf(events.of(message(7, false, "freshet/acme/reading", "{\"n\":1}"), deliveries, idRecords));

        assertEquals(first, idOf(events.of(message(7, true, "freshet/acme/reading", "{\"n\":1}"), deliveries, idRecords)),
                "the broker sending packet 7 again (DUP) after a crash");
        assertNotEquals(first, idOf(events.of(message(7, false, "freshet/acme/reading", "{\"n\":1}"), deliveries, idRecords)),
                "the same reading again, a new message that reuses packet id 7");
        assertNotEquals(first, idOf(events.of(message(7, true, "freshet/acme/reading", "{\"n\":2}"), deliveries, idRecords)),
                "another payload under a resent packet id is another message");
        assertEquals(3, idRecords.size(), "one record per id given, none for the resend");
    }

    @Test
    void aResendIsRecognizedOnlyWithinTheWindowOfRecentDeliveries() {
        var recorded = new MqttDeliveries("session", new HashMap<>());
        String first = idOf(events.of(message(9, false, "freshet/acme/reading", "{}"), recorded, idRecords));
        String line = new String(idRecords.getFirst().value(), StandardCharsets.UTF_8);
        // the same delivery, recorded RESEND_WINDOW deliveries before the latest one: its packet id was reused since
        var old = MqttDeliveries.Delivery.parse(line);
        var deliveries = new MqttDeliveries("session", new HashMap<>(Map.of(
                9, old, 10, new MqttDeliveries.Delivery(old.sequence() + MqttDeliveries.RESEND_WINDOW, "x", "y"))));

        assertNotEquals(first, idOf(events.of(message(9, true, "freshet/acme/reading", "{}"), deliveries, idRecords)));
    }

    @Test
    void anEventIdOfThePayloadIsKeptAndNothingIsRecorded() {
        var deliveries = new MqttDeliveries("session", new HashMap<>());
        String id = "0190f3c5-8a5e-7c41-9d2a-3b9c1e4f5a6b";
        SourceEvent event = events.of(message(1, false, "freshet/acme/reading", "{\"event_id\":\"" + id + "\"}"), deliveries, idRecords);

        assertEquals(id, idOf(event));
        assertTrue(idRecords.isEmpty());
    }

    @Test
    void whatIsNoEventSaysWhy() {
        var deliveries = new MqttDeliveries("session", new HashMap<>());
        SourceEvent deeper = events.of(message(1, false, "freshet/acme/a/b", "{}"), deliveries, idRecords);
        assertNull(deeper.tenantId());
        assertEquals("MQTT topic 'freshet/acme/a/b' is not freshet/<tenant>/<type>", deeper.problem());

        SourceEvent notJson = events.of(message(2, false, "freshet/acme/reading", "21.5 C"), deliveries, idRecords);
        assertEquals("acme", notJson.tenantId());
        assertTrue(notJson.problem().startsWith("The payload is not JSON"), notJson.problem());
        assertEquals("21.5 C", notJson.payload());

        SourceEvent otherType = events.of(message(3, false, "freshet/acme/reading", "{\"type\":\"alarm\"}"), deliveries, idRecords);
        assertEquals("The payload's type 'alarm' is not the topic's 'reading'", otherType.problem());
        assertTrue(idRecords.isEmpty(), "no id is given to what is no event");
    }

    private static String idOf(SourceEvent event) {
        return event.event().get("event_id").asText();
    }

    private static MqttPublishMessage message(int packetId, boolean resent, String topic, String payload) {
        return MqttPublishMessage.newInstance(io.vertx.mqtt.messages.MqttPublishMessage.create(packetId,
                MqttQoS.AT_LEAST_ONCE, resent, false, topic, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
    }
}

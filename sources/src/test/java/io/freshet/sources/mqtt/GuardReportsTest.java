package io.freshet.sources.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The guard counts each tenant's backlog under its user name: the report says what was taken of each. */
class GuardReportsTest {

    @Test
    void aBatchIsReportedTenantByTenantWithItsMessagesAndBytes() {
        var batch = List.of(message("freshet/acme/reading", "{\"t\":1}"), message("freshet/globex/reading", "{}"),
                message("freshet/acme/door.opened", "{\"open\":true}"));
        assertEquals("acme 2 20\nglobex 1 2\n", GuardReports.of(batch).toString());
    }

    @Test
    void aMessageWithoutATenantCountsForAllTenantsTogether() {
        assertEquals("1 2\n", GuardReports.of(List.of(message("freshet", "{}"))).toString());
    }

    private static MqttPublishMessage message(String topic, String payload) {
        return MqttPublishMessage.newInstance(io.vertx.mqtt.messages.MqttPublishMessage.create(1, MqttQoS.AT_LEAST_ONCE,
                false, false, topic, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
    }
}

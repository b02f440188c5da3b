package io.freshet.sources.mqtt;

import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;

import java.util.List;

/**
 * What this service tells Freshet's guard plugin in the broker (sources/src/main/mosquitto): how many messages, and
 * bytes, it has taken since its last report. The guard refuses devices' publishes (unacknowledged) while more than its
 * bound waits for this service, so the broker never has to drop a message it acknowledged. A broker without the guard
 * ignores the report (the ACL allows this service's user to publish there only).
 */
final class GuardReports {

    static final String TOPIC = "$CONTROL/freshet-guard/v1";

    private GuardReports() {
    }

    /** "{@code <messages> <bytes>}" of a batch Kafka has. */
    static Buffer of(List<MqttPublishMessage> batch) {
        long bytes = 0;
        for (MqttPublishMessage message : batch) {
            bytes += message.payload().length();
        }
        return Buffer.buffer(batch.size() + " " + bytes);
    }
}

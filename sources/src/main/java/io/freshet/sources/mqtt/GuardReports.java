package io.freshet.sources.mqtt;

import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.mqtt.messages.MqttPublishMessage;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this service tells Freshet's guard plugin in the broker (sources/src/main/mosquitto): how many messages, and
 * bytes, of each tenant it has taken since its last report. The guard refuses a tenant's publishes (unacknowledged)
 * while more than its share of that tenant waits for this service, or more than its bound of all tenants, so the
 * broker never has to drop a message it acknowledged and one tenant's flood does not hold back the others. A broker
 * without the guard ignores the report (the ACL allows this service's user to publish there only).
 */
final class GuardReports {

    static final String TOPIC = "$CONTROL/freshet-guard/v1";

    private GuardReports() {
    }

    /**
     * "{@code <tenant> <messages> <bytes>}" lines of a batch Kafka has. A message's tenant is its topic's second level,
     * which the broker's ACL makes its device's user, the name the guard counts it under; a message without one (a
     * topic the service cannot read) counts for all tenants together ("{@code <messages> <bytes>}").
     */
    static Buffer of(List<MqttPublishMessage> batch) {
        Map<String, long[]> taken = new TreeMap<>();
        for (MqttPublishMessage message : batch) {
            long[] counts = taken.computeIfAbsent(tenantOf(message.topicName()), tenant -> new long[2]);
            counts[0]++;
            counts[1] += message.payload().length();
        }
        StringBuilder report = new StringBuilder();
        taken.forEach((tenant, counts) -> report.append(tenant.isEmpty() ? "" : tenant + " ")
                .append(counts[0]).append(' ').append(counts[1]).append('\n'));
        return Buffer.buffer(report.toString());
    }

    private static String tenantOf(String topic) {
        String[] levels = topic.split("/", 3);
        return levels.length >= 2 && !levels[1].isBlank() && !levels[1].contains(" ") ? levels[1] : "";
    }
}

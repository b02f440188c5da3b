package io.freshet.eventmodel.topic;

import java.util.Optional;

/**
 * The MQTT topics devices publish events to: {@code freshet/<tenant>/<type>}. A tenant's MQTT user may publish under its
 * own prefix only (the broker's ACL); the sources service subscribes to {@link #ALL}.
 */
public final class MqttTopics {

    public static final String ROOT = "freshet";
    /** Every level under the root: a topic that is not {@code <tenant>/<type>} is dead-lettered, not ignored. */
    public static final String ALL = ROOT + "/#";

    /** A topic's tenant and event type. */
    public record Address(String tenantId, String type) {
    }

    private MqttTopics() {
    }

    public static String prefixOf(String tenantId) {
        return ROOT + "/" + tenantId + "/";
    }

    /** The tenant and type a topic names; empty for a topic of any other shape. */
    public static Optional<Address> parse(String topic) {
        String[] levels = topic.split("/", -1);
        if (levels.length != 3 || !levels[0].equals(ROOT) || levels[1].isEmpty() || levels[2].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Address(levels[1], levels[2]));
    }
}

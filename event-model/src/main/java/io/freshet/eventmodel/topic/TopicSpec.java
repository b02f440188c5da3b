package io.freshet.eventmodel.topic;

import java.util.Map;

/** How a topic is created: its name, partition count and the configs that differ from the broker's defaults. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    static TopicSpec stream(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of());
    }

    /**
     * Latest value per key is kept forever: the topic is the state itself. Compaction only cleans closed segments, so a
     * segment closes each minute: a reader restoring the state reads about its keys plus a few minutes of changes,
     * not every change since the topic was made (the broker's default closes one a week, or at 1 GiB).
     */
    static TopicSpec compacted(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0",
                "segment.ms", "60000"));
    }
}

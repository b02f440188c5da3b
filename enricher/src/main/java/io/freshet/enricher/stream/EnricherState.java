package io.freshet.enricher.stream;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.session.UserSessions;
import io.freshet.eventmodel.kafka.TopicReaders;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.topic.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The state that belongs to the raw partitions this instance owns: the derived sessions and the seen event ids,
 * restored from their changelogs when a partition is assigned (on the consumer's polling thread, before any of its
 * records is handed on) and dropped when it is revoked.
 */
@ApplicationScoped
@Default // injected by type too, beside the connector's lookup by name
@Identifier(EnricherState.LISTENER)
public class EnricherState implements KafkaConsumerRebalanceListener {

    /** The raw channel's {@code consumer-rebalance-listener.name}. */
    public static final String LISTENER = "enricher-state";
    private static final Logger LOG = Logger.getLogger(EnricherState.class);

    private final UserSessions sessions;
    private final SeenEventIds seenIds;
    private final KafkaConnection kafka;
    private final String instanceId;

    public EnricherState(UserSessions sessions, SeenEventIds seenIds, KafkaConnection kafka,
                         EnricherConfig config) {
        String instanceId = config.instanceId();
        this.sessions = sessions;
        this.seenIds = seenIds;
        this.kafka = kafka;
        this.instanceId = instanceId;
    }

    UserSessions sessions() {
        return sessions;
    }

    SeenEventIds seenIds() {
        return seenIds;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        restore(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> moved = partitions.stream().map(TopicPartition::partition).toList();
        sessions.forget(moved);
        seenIds.forget(moved);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    /**
     * The derived sessions from their changelog's start, the seen event ids from where the local store is. Read with
     * a consumer of its own, assigned and read to the end: a channel streams a topic, it does not read a range on
     * demand, and the rebalance must not finish before the state is whole (as Kafka Streams' restore consumer).
     */
    private void restore(List<Integer> partitions) {
        try (var reader = TopicReaders.reader(kafka, "enricher-changelog-" + instanceId)) {
            partitions.forEach(partition -> sessions.restore(partition, List.of()));
            readChangelog(reader, Topics.ENRICHER_SESSIONS, partitions, partition -> OptionalLong.empty(), sessions::restore);
            Map<Integer, Long> ends = readChangelog(reader, Topics.ENRICHER_EVENT_IDS, partitions, seenIds::restoredUpTo,
                    (partition, changes) -> seenIds.restore(partition, changes, changes.getLast().offset() + 1));
            ends.forEach((partition, end) -> {
                seenIds.restore(partition, List.of(), end);
                seenIds.caughtUp(partition);
            });
        }
    }

    /**
     * Reads the changelog's partitions, each from its {@code from} (its start when empty) to its end as of now
     * (read_committed), handing each polled chunk to {@code apply}; returns the ends.
     */
    private static Map<Integer, Long> readChangelog(KafkaConsumer<String, String> reader, String topic, List<Integer> partitions,
                                                    IntFunction<OptionalLong> from,
                                                    BiConsumer<Integer, List<ConsumerRecord<String, String>>> apply) {
        long start = System.nanoTime();
        List<TopicPartition> changelog = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        long read = 0;
        Map<Integer, Long> ends = new HashMap<>();
        reader.assign(changelog);
        Map<TopicPartition, Long> beginnings = reader.beginningOffsets(changelog);
        reader.endOffsets(changelog).forEach((partition, end) -> ends.put(partition.partition(), end));
        for (TopicPartition partition : changelog) {
            long position = from.apply(partition.partition()).orElse(0);
            // past the end, the topic was made anew: all of it is news to the local store
            reader.seek(partition, position > ends.get(partition.partition()) ? beginnings.get(partition)
                    : Math.max(beginnings.get(partition), position));
        }
        while (changelog.stream().anyMatch(partition -> reader.position(partition) < ends.get(partition.partition()))) {
            ConsumerRecords<String, String> changes = reader.poll(Duration.ofMillis(200));
            for (TopicPartition partition : changes.partitions()) {
                apply.accept(partition.partition(), changes.records(partition));
            }
            read += changes.count();
        }
        LOG.infof("Read %d records of %s for raw partitions %s in %d ms", read, topic, partitions,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return ends;
    }
}

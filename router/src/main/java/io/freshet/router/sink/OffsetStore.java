package io.freshet.router.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A lane's committed offsets, where the sink's protocol writes a batch's intent and its completion. Kafka takes a
 * commit from a group member for any partition, so every commit says which partitions the caller still holds; the
 * check runs with the commit, where assignments change (the consumer's polling thread), so none moves between the two.
 */
public interface OffsetStore {

    /** Each partition's committed offset and metadata; a partition never committed is left out. */
    Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions);

    /**
     * Commits every offset in one request if every partition is held; else commits none.
     *
     * @return whether it committed
     * @throws KafkaException Kafka refused the commit (e.g. during a rebalance): what it committed is unknown
     */
    boolean commitAll(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held);

    /**
     * Commits the offsets of the partitions still held, in one request.
     *
     * @return those partitions
     * @throws KafkaException Kafka refused the commit
     */
    Set<TopicPartition> commitHeld(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held);
}

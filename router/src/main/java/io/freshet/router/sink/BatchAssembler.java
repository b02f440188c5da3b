package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A lane's owned partitions and their waiting records, and the batches they make: one per topic (so one insert per
 * table) across all its partitions, of at most {@code maxRows} rows and a manifest that fits Kafka's offset metadata.
 * A batch is due when a topic has a full one waiting, its oldest record waited {@code maxAge}, or {@code minAge}
 * while Kafka has nothing more yet: under load inserts grow, when the flow is thin they go at once.
 * <p>
 * Partitions are assigned and revoked on the consumer's polling thread while batches are formed on the sink's thread:
 * a batch keeps the queues it took records from, and a partition whose queue has changed since is no longer its.
 */
public final class BatchAssembler {

    private final int maxRows;
    private final long maxAgeNanos;
    private final long minAgeNanos;
    private final LongSupplier clock;
    private final Map<TopicPartition, PartitionQueue> queues = new ConcurrentHashMap<>();
    /** The highest offset each revoked partition's queue had taken: a delivery in flight may hold what followed. */
    private final Map<TopicPartition, Long> revokedHighest = new ConcurrentHashMap<>();

    /** @param clock nanoseconds, as {@link System#nanoTime} */
    public BatchAssembler(int maxRows, long maxAgeNanos, long minAgeNanos, LongSupplier clock) {
        this.maxRows = maxRows;
        this.maxAgeNanos = maxAgeNanos;
        this.minAgeNanos = minAgeNanos;
        this.clock = clock;
    }

    public void assign(TopicPartition partition, PartitionStart start) {
        PartitionQueue previous = queues.get(partition);
        Long previousHighest = previous != null ? Long.valueOf(previous.highest()) : revokedHighest.remove(partition);
        queues.put(partition, new PartitionQueue(start, previousHighest == null ? -1 : previousHighest));
    }

    /** A revoked partition's waiting records are dropped: its next owner reads them again from the committed offset. */
    public void revoke(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionQueue queue = queues.remove(partition);
            if (queue != null) {
                revokedHighest.put(partition, queue.highest());
            }
        }
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(queues.keySet());
    }

    /** Takes a delivery's records; those of partitions revoked since the poll are left to their next owner. */
    public void add(ConsumerRecords<String, SpecificRecord> records) {
        long now = clock.getAsLong();
        for (TopicPartition partition : records.partitions()) {
            PartitionQueue queue = queues.get(partition);
            if (queue != null) {
                queue.add(records.records(partition), now);
            }
        }
    }

    /** Whether the partition is still the batch's: held, by the same queue as when the batch was formed. */
    public boolean holds(Batch batch, TopicPartition partition) {
        PartitionQueue queue = batch.queues().get(partition);
        return queue != null && queues.get(partition) == queue;
    }

    /** The partitions with records that waited at least the shortest age: due if Kafka has nothing more for them. */
    public List<TopicPartition> waiting() {
        long now = clock.getAsLong();
        return queues.entrySet().stream()
                .filter(e -> e.getValue().pending().isEmpty() && e.getValue().size() > 0
                        && now - e.getValue().firstAddedAt() >= minAgeNanos)
                .map(Map.Entry::getKey).toList();
    }

    /** Whether to form batches now; {@code caughtUp} says of a partition whether Kafka had nothing more for it. */
    public boolean due(Predicate<TopicPartition> caughtUp) {
        if (queues.values().stream().anyMatch(q -> q.pending().isPresent())) {
            return true;
        }
        long now = clock.getAsLong();
        Map<String, Integer> rows = new HashMap<>();
        long oldest = 0;
        boolean allCaughtUp = true;
        for (var entry : queues.entrySet()) {
            PartitionQueue queue = entry.getValue();
            if (queue.size() > 0) {
                rows.merge(entry.getKey().topic(), queue.size(), Integer::sum);
                oldest = Math.max(oldest, now - queue.firstAddedAt());
                allCaughtUp &= caughtUp.test(entry.getKey());
            }
        }
        return rows.values().stream().anyMatch(n -> n >= maxRows) || !rows.isEmpty()
                && (oldest >= maxAgeNanos || allCaughtUp && oldest >= minAgeNanos);
    }

    /** The manifests found pending at assignment, each with the members held here, to re-form before anything else. */
    public List<Batch> reformations() {
        Map<Manifest, Map<TopicPartition, PartitionQueue>> pending = new LinkedHashMap<>();
        queues.forEach((partition, queue) -> queue.pending().ifPresent(
                manifest -> pending.computeIfAbsent(manifest, m -> new HashMap<>()).put(partition, queue)));
        return pending.entrySet().stream().map(e -> new Batch(e.getKey(), List.of(), e.getValue())).toList();
    }

    /** The re-formed batch is stored and these members' offsets are past it: their queues go on with new batches. */
    public void reformed(Batch batch, Set<TopicPartition> completed) {
        completed.forEach(partition -> batch.queues().get(partition).reformed());
    }

    /**
     * The next batch of each topic: its partitions' oldest records, partition by partition, up to {@code maxRows} and
     * the manifest's size. What does not fit waits for the next batch.
     */
    public List<Batch> next() {
        Map<String, TreeMap<Integer, PartitionQueue>> byTopic = new TreeMap<>();
        queues.forEach((partition, queue) -> {
            if (queue.pending().isEmpty() && queue.size() > 0) {
                byTopic.computeIfAbsent(partition.topic(), t -> new TreeMap<>()).put(partition.partition(), queue);
            }
        });
        List<Batch> batches = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> {
            List<Manifest.Member> members = new ArrayList<>();
            List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
            Map<TopicPartition, PartitionQueue> taken = new HashMap<>();
            for (var entry : partitions.entrySet()) {
                if (records.size() >= maxRows) {
                    break;
                }
                List<ConsumerRecord<String, SpecificRecord>> head = entry.getValue().head(maxRows - records.size());
                List<Manifest.Member> with = new ArrayList<>(members);
                with.add(new Manifest.Member(entry.getKey(), head.getFirst().offset(), head.getLast().offset()));
                if (Manifest.encodedLength(with) > Manifest.MAX_ENCODED_LENGTH) {
                    break;
                }
                members = with;
                records.addAll(head);
                taken.put(new TopicPartition(topic, entry.getKey()), entry.getValue());
            }
            batches.add(new Batch(new Manifest(topic, members), records, taken));
        });
        return batches;
    }

    /** The batch is stored and these members' offsets are past it: their queues let go of its records. */
    public void completed(Batch batch, Set<TopicPartition> committed) {
        long now = clock.getAsLong();
        Map<Integer, Long> taken = new HashMap<>();
        batch.records().forEach(r -> taken.merge(r.partition(), 1L, Long::sum));
        for (TopicPartition partition : committed) {
            if (holds(batch, partition)) {
                batch.queues().get(partition).completed(taken.get(partition.partition()).intValue(), now);
            }
        }
    }
}

package io.freshet.router.sink;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/**
 * In-memory stand-ins for what the sink's protocol meets: a topic's log, its group's committed offsets, ClickHouse's
 * table with its deduplication by token, and router instances that crash where told.
 */
final class LaneFakes {

    static final String TOPIC = Topics.ENRICHED;

    private LaneFakes() {
    }

    static TopicPartition partition(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    /** The topic's records, partition by partition. */
    static final class Log implements RangeReader {
        final Map<Integer, List<ConsumerRecord<String, SpecificRecord>>> partitions = new HashMap<>();
        int reads;

        Log append(int partition, int count) {
            List<ConsumerRecord<String, SpecificRecord>> records = partitions.computeIfAbsent(partition, p -> new ArrayList<>());
            long from = records.size();
            LongStream.range(from, from + count).forEach(offset -> records.add(record(partition, offset)));
            return this;
        }

        long size() {
            return partitions.values().stream().mapToLong(List::size).sum();
        }

        /** What a consumer's poll from these offsets brings. */
        ConsumerRecords<String, SpecificRecord> from(Map<TopicPartition, Long> positions) {
            Map<TopicPartition, List<ConsumerRecord<String, SpecificRecord>>> polled = new LinkedHashMap<>();
            positions.forEach((partition, position) -> {
                var records = partitions.getOrDefault(partition.partition(), List.of());
                if (position < records.size()) {
                    polled.put(partition, records.subList((int) (long) position, records.size()));
                }
            });
            return new ConsumerRecords<>(polled, Map.of());
        }

        @Override
        public List<ConsumerRecord<String, SpecificRecord>> read(Manifest manifest) {
            reads++;
            return manifest.members().stream().flatMap(m -> partitions.get(m.partition())
                    .subList((int) m.first(), (int) m.last() + 1).stream()).toList();
        }

        private static ConsumerRecord<String, SpecificRecord> record(int partition, long offset) {
            Instant now = Instant.now();
            String id = UUID.nameUUIDFromBytes((partition + "/" + offset).getBytes()).toString();
            return new ConsumerRecord<>(TOPIC, partition, offset, "t/u", EnrichedEvent.newBuilder()
                    .setTenantId("t").setEventId(id).setType("a.b").setEventTime(now).setReceivedAt(now).setUserId("u")
                    .setProperties("{}").setIngestLagMs(0).setRawPartition(partition).setRawOffset(offset).setTags(Map.of()).build());
        }
    }

    /** The group's committed offsets, as the group coordinator keeps them for all its members. */
    static final class GroupOffsets implements OffsetStore {
        final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        boolean refuse;

        @Override
        public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> found = new HashMap<>(committed);
            found.keySet().retainAll(partitions);
            return found;
        }

        @Override
        public boolean commitAll(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held) {
            if (!offsets.keySet().stream().allMatch(held)) {
                return false;
            }
            commit(offsets);
            return true;
        }

        @Override
        public Set<TopicPartition> commitHeld(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held) {
            Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(offsets);
            owned.keySet().removeIf(held.negate());
            commit(owned);
            return owned.keySet();
        }

        private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (refuse) {
                throw new CommitFailedException("the group is rebalancing");
            }
            committed.putAll(offsets);
        }

        long offset(int partition) {
            return committed.get(partition(partition)).offset();
        }

        String metadata(int partition) {
            return committed.get(partition(partition)).metadata();
        }
    }

    /** A table of a ClickHouse that drops an insert whose token it took before, and fails when told. */
    static final class Table implements RowSink {
        final List<ConsumerRecord<String, SpecificRecord>> rows = new ArrayList<>();
        final Set<String> tokens = new HashSet<>();
        final List<String> inserts = new ArrayList<>();
        int failuresToCome;

        @Override
        public void insert(SinkTable table, List<ConsumerRecord<String, SpecificRecord>> records, String token) throws Exception {
            inserts.add(token);
            if (failuresToCome > 0) {
                failuresToCome--;
                throw new java.io.IOException("ClickHouse is away");
            }
            if (tokens.add(token)) {
                rows.addAll(records);
            }
        }

        /** Each offset of the log stored once: rows = distinct (partition, offset) = the log's records. */
        long distinct() {
            return rows.stream().map(r -> r.partition() + "/" + r.offset()).distinct().count();
        }
    }

    /** Thrown where a router instance is told to crash: nothing after it runs. */
    static final class Crash extends RuntimeException {
        Crash(CrashPoints.Point point) {
            super("crashed " + point);
        }
    }

    /** One router instance's lane: its assembler and protocol over the shared log, offsets and table. */
    static final class Instance {
        final BatchAssembler assembler;
        final CommitProtocol protocol;
        final GroupOffsets offsets;
        final Log log;
        final AtomicLong clock = new AtomicLong();

        Instance(Log log, GroupOffsets offsets, Table table, CrashPoints.Point crashAt, int maxRows) {
            this.log = log;
            this.offsets = offsets;
            this.assembler = new BatchAssembler(maxRows, Duration.ofMillis(500).toNanos(), Duration.ofMillis(50).toNanos(), clock::get);
            this.protocol = new CommitProtocol(offsets, table, log, new Retry(Duration.ofMillis(1), Duration.ofMillis(1), d -> {
            }), point -> {
                if (point == crashAt) {
                    throw new Crash(point);
                }
            });
        }

        Instance(Log log, GroupOffsets offsets, Table table) {
            this(log, offsets, table, null, 20_000);
        }

        /** Assigned these partitions: resolves their offsets, then polls from where the consumer reads. */
        Instance assign(Collection<TopicPartition> partitions) {
            protocol.resolve(offsets, partitions).forEach(assembler::assign);
            poll(partitions);
            return this;
        }

        Instance assign(int... partitions) {
            return assign(java.util.Arrays.stream(partitions).mapToObj(LaneFakes::partition).toList());
        }

        void poll(Collection<TopicPartition> partitions) {
            Map<TopicPartition, Long> positions = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> committed = offsets.committed(Set.copyOf(partitions));
            partitions.forEach(p -> positions.put(p, committed.containsKey(p) ? committed.get(p).offset() : 0L));
            assembler.add(log.from(positions));
        }

        /** One cycle, as the lane runs it: re-formations first, then one batch per table. */
        void cycle() {
            for (Batch batch : assembler.reformations()) {
                assembler.reformed(batch, protocol.reform(batch, p -> assembler.holds(batch, p)));
            }
            for (Batch batch : assembler.next()) {
                assembler.completed(batch, protocol.store(batch, p -> assembler.holds(batch, p)));
            }
        }
    }
}

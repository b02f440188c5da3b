package io.freshet.enricher.dedup;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The (tenant, event_id) pairs the enricher passed on within the dedup window, so a retried event is stored, rolled
 * up, billed and alerted on once. Like the sessions, the state lives by raw partition (copies of an event share its
 * key, so its partition) and each batch writes what it adds to the changelog freshet.enricher.event-ids in the
 * batch's own transaction. Unlike the sessions it does not fit in memory (an hour at 10k events/s is 36M ids), so it
 * lives in a local RocksDB, whose entries expire after the window. Each partition's entries carry the changelog
 * offset they reach: after a restart or a rebalance, only the changelog past it is read again. Used by the
 * enrichment thread only.
 */
@ApplicationScoped
public class SeenEventIds {

    private final Duration window;
    private final Path directory;
    private final Set<Integer> current = ConcurrentHashMap.newKeySet(); // see UserSessions#byPartition
    private final Options options;
    private final LRUCache cache;
    private final WriteOptions writeOptions;
    private volatile RocksDB db;

    public SeenEventIds(EnricherConfig config, MeterRegistry meters) {
        this.window = config.dedupWindow();
        this.directory = config.stateDir().resolve("event-ids");
        RocksDB.loadLibrary(); // before any RocksDB object
        this.writeOptions = new WriteOptions();
        // most lookups are for new ids, which the filters answer; filters and indexes stay in memory (about 1.5 bytes an
        // id): kept in the block cache instead, a lookup took 250-400 us, not 5 us
        this.cache = new LRUCache(32L << 20);
        this.options = new Options().setCreateIfMissing(true)
                .setWriteBufferSize(8L << 20).setMaxWriteBufferNumber(2).setMaxOpenFiles(256)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache)
                        .setFilterPolicy(new BloomFilter(10)).setCacheIndexAndFilterBlocks(false));
        // the duplicates themselves are counted as freshet.enricher.events{outcome="duplicate"}
        Gauge.builder("freshet.enricher.dedup.ids", this, SeenEventIds::estimatedIds)
                .description("Event ids in the local dedup store (RocksDB's estimate, expired ones included until compacted)")
                .register(meters);
    }

    /** True when this instance has caught up with the partition's changelog since it was assigned the partition. */
    public boolean knows(int partition) {
        return current.contains(partition);
    }

    /** Where to read the partition's changelog from: past what the local store holds (empty: from its start). */
    public OptionalLong restoredUpTo(int partition) {
        byte[] offset = get(checkpointKey(partition));
        return offset == null ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(offset).getLong());
    }

    /** Applies the partition's changelog records from {@link #restoredUpTo}; {@code next} is the offset reached. */
    public void restore(int partition, Iterable<ConsumerRecord<String, String>> changelog, long next) {
        try (var batch = new WriteBatch()) {
            for (ConsumerRecord<String, String> record : changelog) {
                for (String line : record.value().split("\n")) {
                    int comma = line.lastIndexOf(',');
                    batch.put(key(partition, line.substring(0, comma)), millis(Long.parseLong(line.substring(comma + 1))));
                }
            }
            batch.put(checkpointKey(partition), millis(next));
            db().write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot write the event id store in " + directory, e);
        }
    }

    /** The partition is caught up and its events are checked against it from now on. */
    public void caughtUp(int partition) {
        current.add(partition);
    }

    /** The partitions moved to another instance; their entries stay, and are brought up to date when they return. */
    public void forget(List<Integer> partitions) {
        partitions.forEach(current::remove);
    }

    /** Ids passed on while enriching one batch; they count as seen for good only when the batch commits. */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        private final Map<Integer, Map<String, Long>> added = new HashMap<>();

        /**
         * True for a copy of an event passed on before: one of its tenant with this id was accepted within the window
         * of it (by the gateway's receipt times, so a batch read again decides alike).
         */
        public boolean contains(int partition, String tenantId, String eventId, long receivedAt) {
            String id = tenantId + "/" + eventId;
            Long seenAt = added.getOrDefault(partition, Map.of()).get(id);
            if (seenAt == null) {
                byte[] stored = get(key(partition, id));
                seenAt = stored == null ? null : ByteBuffer.wrap(stored).getLong();
            }
            return seenAt != null && Math.abs(receivedAt - seenAt) <= window.toMillis();
        }

        /** The event is passed on: later copies are duplicates. */
        public void add(int partition, String tenantId, String eventId, long receivedAt) {
            added.computeIfAbsent(partition, p -> new HashMap<>()).put(tenantId + "/" + eventId, receivedAt);
        }

        /**
         * The changelog records of the ids this batch adds: one per partition, a line {@code <tenant>/<event_id>,<received_at
         * ms>} per id, so remembering an id costs the transaction a line, not a record of its own.
         */
        public List<ProducerRecord<String, byte[]>> changelog() {
            return added.entrySet().stream().filter(partition -> !partition.getValue().isEmpty()).map(partition -> {
                var lines = new StringBuilder(partition.getValue().size() * 64);
                partition.getValue().forEach((id, receivedAt) -> lines.append(id).append(',').append(receivedAt).append('\n'));
                return new ProducerRecord<String, byte[]>(Topics.ENRICHER_EVENT_IDS, partition.getKey(), null,
                        lines.toString().getBytes(StandardCharsets.UTF_8));
            }).toList();
        }

        /** The batch committed: its ids are seen, and each partition's store reaches past its changelog records. */
        public void commit(List<RecordMetadata> written) {
            Map<Integer, Long> next = new HashMap<>();
            written.forEach(m -> next.merge(m.partition(), m.offset() + 1, Math::max));
            try (var batch = new WriteBatch()) {
                for (var partition : added.entrySet()) {
                    for (var id : partition.getValue().entrySet()) {
                        batch.put(key(partition.getKey(), id.getKey()), millis(id.getValue()));
                    }
                }
                next.forEach((partition, offset) -> {
                    try {
                        batch.put(checkpointKey(partition), millis(offset));
                    } catch (RocksDBException e) {
                        throw new IllegalStateException(e);
                    }
                });
                db().write(writeOptions, batch);
            } catch (RocksDBException e) {
                // the ids are in the committed changelog: reading it again from the last checkpoint restores them
                current.removeAll(added.keySet());
                throw new IllegalStateException("Cannot write the event id store in " + directory, e);
            }
        }
    }

    private double estimatedIds() {
        RocksDB opened = db;
        try {
            return opened == null ? 0 : opened.getLongProperty("rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            return Double.NaN;
        }
    }

    private byte[] get(byte[] key) {
        try {
            return db().get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot read the event id store in " + directory, e);
        }
    }

    /** Opened on first use, on the enrichment thread; entries are dropped in compactions once older than the window. */
    private synchronized RocksDB db() {
        if (db == null) {
            try {
                Files.createDirectories(directory);
                db = TtlDB.open(options, directory.toString(), (int) Math.min(Integer.MAX_VALUE, window.toSeconds()), false);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot open the event id store in " + directory + ": " + e.getMessage(), e);
            }
        }
        return db;
    }

    /** The partition, then the id: a partition's entries lie together. The id is tenant/UUID, as the gateway checked. */
    private static byte[] key(int partition, String id) {
        int slash = id.lastIndexOf('/');
        UUID uuid = UUID.fromString(id.substring(slash + 1));
        byte[] tenant = id.substring(0, slash).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + 16 + tenant.length).putInt(partition)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).put(tenant).array();
    }

    /** Shorter than any id's key. */
    private static byte[] checkpointKey(int partition) {
        return ByteBuffer.allocate(4).putInt(partition).array();
    }

    private static byte[] millis(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    @PreDestroy
    void close() {
        if (db != null) {
            db.close();
        }
        options.close();
        cache.close();
        writeOptions.close();
    }
}

package io.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a chaos run must leave behind, checked from ClickHouse and the topics once the pipeline settled: every
 * acknowledged event stored exactly once, nothing stored that no request carried, the rollup and billing equal to the
 * stored rows, no consumer group behind, and no dead letter (the load's events are all valid).
 */
final class ChaosChecks implements AutoCloseable {

    /** One verdict of the run. */
    record Check(String name, boolean held, String detail) {
    }

    /** The consumer groups of the pipeline's stages (enricher, router's lanes, router's routes). */
    private static final String GROUP_PREFIX = "freshet-";
    private static final Duration POLL = Duration.ofSeconds(2);

    private final Warehouse warehouse;
    private final Http http;
    /** One client each for every look at the groups' offsets and what lies past them while the pipeline settles. */
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> reader;

    ChaosChecks(Warehouse warehouse, Http http, String kafkaBootstrapServers) {
        this.warehouse = warehouse;
        this.http = http;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        this.reader = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        reader.close();
        admin.close();
    }

    /** Waits up to {@code settle} for every acknowledged event to be stored, rolled up and billed, and no group behind. */
    Duration settle(String tenant, int acknowledged, Duration settle) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + settle.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                var stored = warehouse.query("SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '"
                        + tenant + "'").getFirst();
                long rows = stored.getLong(1);
                long distinct = stored.getLong(2);
                if (distinct >= acknowledged && rolledUp(tenant) == rows && billed(tenant) == rows
                        && lag().values().stream().mapToLong(Long::longValue).sum() == 0) {
                    break;
                }
            } catch (RuntimeException e) {
                System.err.println("chaos: still settling (" + e.getMessage() + ")");
            }
            Thread.sleep(POLL);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    List<Check> check(String tenant, ChaosLoad.Result load) {
        List<Check> checks = new ArrayList<>();
        Set<UUID> stored = new HashSet<>();
        long rows = storedIds(tenant, stored);
        Set<UUID> lost = new HashSet<>(load.acknowledged());
        lost.removeAll(stored);
        checks.add(new Check("every acknowledged event is stored", lost.isEmpty(),
                "%,d acknowledged, %,d of them not in freshet.events%s".formatted(load.acknowledged().size(), lost.size(),
                        lost.isEmpty() ? "" : " (e.g. " + lost.iterator().next() + ")")));
        checks.add(new Check("no event is stored twice", rows == stored.size(),
                "%,d rows, %,d distinct event ids".formatted(rows, stored.size())));
        Set<UUID> phantoms = new HashSet<>(stored);
        phantoms.removeAll(load.attempted());
        checks.add(new Check("nothing is stored that no request carried", phantoms.isEmpty(),
                "%,d stored ids not among the %,d sent".formatted(phantoms.size(), load.attempted().size())));
        long rolledUp = rolledUp(tenant);
        checks.add(new Check("the per-minute rollup counts every stored row", rolledUp == rows,
                "freshet.events_per_minute: %,d, freshet.events: %,d".formatted(rolledUp, rows)));
        long billed = billed(tenant);
        checks.add(new Check("billing counts every stored row", billed == rows,
                "freshet.billing_usage: %,d, freshet.events: %,d".formatted(billed, rows)));
        Map<String, Long> lag = lag();
        long behind = lag.values().stream().mapToLong(Long::longValue).sum();
        checks.add(new Check("no partition is stuck", behind == 0, "records behind per group: " + lag));
        checks.add(deadLetters(tenant));
        return checks;
    }

    private long rows(String tenant) {
        return warehouse.count("SELECT count() FROM freshet.events WHERE tenant_id = '" + tenant + "'");
    }

    private long rolledUp(String tenant) {
        return warehouse.count("SELECT toUInt64(sum(events)) FROM freshet.events_per_minute WHERE tenant_id = '" + tenant + "'");
    }

    private long billed(String tenant) {
        return warehouse.count("SELECT toUInt64(sum(events)) FROM freshet.billing_usage FINAL WHERE tenant_id = '" + tenant + "'");
    }

    /** The tenant's event ids (RowBinary strings: a length byte, then the 36 characters); returns the rows. */
    private long storedIds(String tenant, Set<UUID> into) {
        byte[] rows = warehouse.rowBinary("SELECT toString(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "'");
        long count = 0;
        try (var in = new DataInputStream(new ByteArrayInputStream(rows))) {
            byte[] id = new byte[36];
            while (in.available() > 0) {
                if (in.readUnsignedByte() != id.length) {
                    throw new BenchException("ClickHouse sent an event id that is not 36 characters");
                }
                in.readFully(id);
                into.add(UUID.fromString(new String(id, StandardCharsets.US_ASCII)));
                count++;
            }
        } catch (IOException e) {
            throw new BenchException("cannot read the stored event ids", e);
        }
        return count;
    }

    /**
     * Records each pipeline group has still to read. Past a group's committed offset there may be only transaction
     * markers (a commit's marker follows its last record) or aborted records, which a read_committed consumer skips:
     * those are read, not counted, so a caught-up group is 0 behind.
     */
    private Map<String, Long> lag() {
        try {
            Map<String, Long> lag = new TreeMap<>();
            List<String> groups = admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(id -> id.startsWith(GROUP_PREFIX)).toList();
            for (String group : groups) {
                Map<TopicPartition, Long> committed = new HashMap<>();
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                        .forEach((partition, offset) -> {
                            if (offset != null) {
                                committed.put(partition, offset.offset());
                            }
                        });
                var ends = admin.listOffsets(committed.keySet().stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
                Map<TopicPartition, Long> behind = new HashMap<>();
                committed.forEach((partition, offset) -> {
                    if (ends.get(partition).offset() > offset) {
                        behind.put(partition, ends.get(partition).offset());
                    }
                });
                lag.put(group, recordsBetween(committed, behind));
            }
            return lag;
        } catch (Exception e) {
            throw new BenchException("cannot read the consumer groups' offsets from Kafka", e);
        }
    }

    /** The records a read_committed consumer finds from each partition's committed offset up to its end. */
    private long recordsBetween(Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends) {
        if (ends.isEmpty()) {
            return 0;
        }
        reader.assign(ends.keySet());
        ends.keySet().forEach(partition -> reader.seek(partition, from.get(partition)));
        long records = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ends.keySet().stream().anyMatch(p -> reader.position(p) < ends.get(p)) && System.nanoTime() - deadline < 0) {
            for (var record : reader.poll(Duration.ofMillis(200))) {
                records += record.offset() < ends.get(new TopicPartition(record.topic(), record.partition())) ? 1 : 0;
            }
        }
        return records;
    }

    /** The load sends only valid events: a dead letter of the run's tenant is one the faults made (named by reason). */
    private Check deadLetters(String tenant) {
        JsonNode summary = http.deadLetters(tenant);
        long total = summary.path("total").asLong();
        Map<String, Long> byReason = new TreeMap<>();
        for (var stage : summary.path("byStage").properties()) {
            for (var reason : stage.getValue().properties()) {
                byReason.put(stage.getKey() + "/" + reason.getKey(), reason.getValue().asLong());
            }
        }
        return new Check("no valid event was dead-lettered", total == 0,
                total == 0 ? "no dead letters" : "%,d dead letters by stage/reason: %s".formatted(total, byReason));
    }
}

package io.freshet.router.replay;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.router.admin.AdminJobs;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.SinkTable;
import io.freshet.router.storage.StoredEvents;
import io.freshet.router.stream.RouterClients;
import io.freshet.router.stream.SinkLane;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Stores a tenant's (or every) enriched event again from a time or an offset: for an operator who lost rows in
 * ClickHouse (a dropped partition, a restore from an older backup). Exactly once holds: each block of records is
 * checked against ClickHouse and only the missing rows are inserted, with a token fixed by the block's offsets.
 * A replay reads each partition up to where the sink group stands, so it never races the live sink, which
 * stores everything after that. One replay runs at a time.
 */
@ApplicationScoped
public class EventReplay {

    private static final Logger LOG = Logger.getLogger(EventReplay.class);
    /** Blocks start at multiples of this offset, so replays of overlapping ranges insert alike. */
    static final int BLOCK = 5000;

    private final RouterClients clients;
    private final ClickHouseBatchSink sink;
    private final RejectedRows deadLetters;
    private final StoredEvents storedEvents;
    private final MeterRegistry meters;
    private final AdminJobs<Replay> replays = new AdminJobs<>("replay");

    public EventReplay(RouterClients clients, ClickHouseBatchSink sink, RejectedRows deadLetters,
                       StoredEvents storedEvents, MeterRegistry meters) {
        this.clients = clients;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.storedEvents = storedEvents;
        this.meters = meters;
    }

    /** Starts it in the background; empty when another replay is running. */
    public Optional<Replay> start(ReplayRequest request) {
        return replays.start(id -> new Replay(id, request, Replay.State.RUNNING, 0, 0, 0, 0, null, Instant.now(), null),
                this::run);
    }

    public Optional<Replay> find(String id) {
        return replays.find(id);
    }

    public Optional<String> running() {
        return replays.running();
    }

    private void run(Replay replay) {
        LOG.infof("Replay %s of %s started", replay.id(), replay.request());
        Progress progress = new Progress(replay);
        Replay.State state = Replay.State.DONE;
        String error = null;
        try (KafkaConsumer<String, SpecificRecord> reader = clients.replayReader(replay.id())) {
            for (SinkLane lane : List.of(SinkLane.LIVE, SinkLane.LATE)) {
                Map<TopicPartition, OffsetAndMetadata> stored = clients.sinkOffsets(lane.group());
                Map<TopicPartition, Long> starts = starts(reader, lane.eventTable().topic(), replay.request());
                for (var start : starts.entrySet()) {
                    OffsetAndMetadata end = stored.get(start.getKey());
                    if (end != null && start.getValue() < end.offset()) {
                        replay(reader, start.getKey(), start.getValue(), end.offset(), progress);
                    }
                }
            }
        } catch (Exception e) {
            LOG.errorf(e, "Replay %s failed", replay.id());
            state = Replay.State.FAILED;
            error = e.toString();
        }
        progress.end(state, error);
    }

    private static Map<TopicPartition, Long> starts(KafkaConsumer<String, SpecificRecord> reader, String topic,
                                                    ReplayRequest request) {
        List<TopicPartition> partitions = reader.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        Map<TopicPartition, Long> starts = new HashMap<>();
        if (request.fromOffset() != null) {
            Map<TopicPartition, Long> beginnings = reader.beginningOffsets(partitions);
            partitions.forEach(p -> starts.put(p, Math.max(request.fromOffset(), beginnings.get(p))));
            return starts;
        }
        Map<TopicPartition, OffsetAndTimestamp> byTime = reader.offsetsForTimes(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> request.from().toEpochMilli())));
        byTime.forEach((partition, offset) -> {
            if (offset != null) { // null: nothing enriched since then on this partition
                starts.put(partition, offset.offset());
            }
        });
        return starts;
    }

    /** Reads [start, end) of one partition in blocks and restores what ClickHouse lacks. */
    private void replay(KafkaConsumer<String, SpecificRecord> reader, TopicPartition partition, long start, long end,
                        Progress progress) throws Exception {
        reader.assign(List.of(partition));
        reader.seek(partition, start);
        String tenant = progress.replay.request().tenant();
        List<ConsumerRecord<String, SpecificRecord>> block = new ArrayList<>();
        long blockEnd = Math.min(end, (start / BLOCK + 1) * BLOCK);
        long blockStart = start;
        while (reader.position(partition) < end) {
            for (ConsumerRecord<String, SpecificRecord> record : reader.poll(Duration.ofMillis(500))) {
                if (record.offset() >= blockEnd) {
                    restore(partition, blockStart, block, progress);
                    block.clear();
                    blockStart = record.offset() / BLOCK * BLOCK;
                    blockEnd = Math.min(end, blockStart + BLOCK);
                }
                if (record.offset() < end && (tenant == null || tenant.equals(((EnrichedEvent) record.value()).getTenantId()))) {
                    block.add(record);
                }
            }
        }
        restore(partition, blockStart, block, progress);
    }

    private void restore(TopicPartition partition, long blockStart, List<ConsumerRecord<String, SpecificRecord>> block,
                         Progress progress) throws Exception {
        if (block.isEmpty()) {
            return;
        }
        Set<StoredEvents.Key> present = storedEvents.present(block.stream().map(EventReplay::key).toList());
        List<ConsumerRecord<String, SpecificRecord>> missing = block.stream()
                .filter(r -> !present.contains(key(r))).toList();
        int rejected = 0;
        if (!missing.isEmpty()) {
            // the token names exactly these rows: a replay that finds the same rows missing inserts them alike
            var refused = sink.insert(SinkTable.of(partition.topic()), missing, "replay:" + partition + ":" + blockStart + ":" + digest(missing));
            deadLetters.send(refused);
            rejected = refused.size();
        }
        progress.add(block.size(), missing.size() - rejected, block.size() - missing.size(), rejected);
    }

    private static String digest(List<ConsumerRecord<String, SpecificRecord>> records) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        records.forEach(r -> sha.update(((EnrichedEvent) r.value()).getEventId().getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static StoredEvents.Key key(ConsumerRecord<String, SpecificRecord> record) {
        EnrichedEvent event = (EnrichedEvent) record.value();
        return new StoredEvents.Key(event.getTenantId(), UUID.fromString(event.getEventId()), event.getEventTime());
    }

    /** Updates the visible replay and the replay meters as blocks complete. */
    private final class Progress {
        private Replay replay;

        Progress(Replay replay) {
            this.replay = replay;
        }

        void add(long read, long restored, long present, long deadLettered) {
            Replay r = replay;
            publish(new Replay(r.id(), r.request(), r.state(), r.read() + read, r.restored() + restored,
                    r.present() + present, r.deadLettered() + deadLettered, null, r.startedAt(), null));
            meters.counter("freshet.replay.rows", "result", "restored").increment(restored);
            meters.counter("freshet.replay.rows", "result", "present").increment(present);
            meters.counter("freshet.replay.rows", "result", "dead_lettered").increment(deadLettered);
        }

        void end(Replay.State state, String error) {
            Replay r = replay;
            replay = new Replay(r.id(), r.request(), state, r.read(), r.restored(), r.present(), r.deadLettered(),
                    error, r.startedAt(), Instant.now());
            replays.end(r.id(), replay);
            LOG.infof("Replay %s %s: read %d, restored %d, already present %d, dead-lettered %d", r.id(),
                    state.name().toLowerCase(), r.read(), r.restored(), r.present(), r.deadLettered());
        }

        private void publish(Replay updated) {
            replay = updated;
            replays.update(updated.id(), updated);
        }
    }

    @PreDestroy
    void stop() {
        replays.close();
    }
}

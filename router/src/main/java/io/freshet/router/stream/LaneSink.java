package io.freshet.router.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.router.config.RouterConfig;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.BatchIntent;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.PartitionBatch;
import io.freshet.router.sink.SinkTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.annotation.PreDestroy;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Exactly once from a lane's channel ({@link SinkLane}: freshet.events.enriched and freshet.billing.usage, or
 * freshet.events.late) into ClickHouse ({@link SinkTable}). Each delivered batch is inserted partition by partition;
 * before the rows are inserted, each partition's offset range is committed as its offset metadata, with the offset
 * itself unchanged (one commit for all partitions); after the inserts, the offsets move past them. A crash between the two leaves the range
 * behind, and whoever owns the partition next (told by this rebalance listener) re-forms exactly that batch, whose
 * insert carries the same deduplication token, which ClickHouse drops if the first insert had landed. While
 * ClickHouse fails, the same rows are retried; the connector then pauses fetching (the next batch is not asked for),
 * lag grows, nothing is dropped. Rows ClickHouse refuses for their values go to the DLQ with its reason; the rest of
 * their batch is stored.
 * <p>
 * The channel's connector does not commit ({@code commit-strategy=ignore}): only this protocol does, through the
 * channel's own consumer.
 */
public abstract class LaneSink implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(LaneSink.class);

    private final SinkLane lane;
    private final KafkaClientService kafka;
    private final ClickHouseBatchSink sink;
    private final RejectedRows deadLetters;
    private final EventTracing tracing;
    private final int maxRows;
    private final long maxAgeNanos;
    private final long minAgeNanos;
    /** Inserts the batches that are due by age while no delivery comes (serialized with {@link #store}). */
    private final ScheduledExecutorService ticker;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Timer freshness;
    private final AtomicInteger pausedPartitions = new AtomicInteger();
    /** Owned partitions: assigned and revoked on the consumer's polling thread, stored from a worker thread. */
    private final Map<TopicPartition, PartitionBatch> batches = new ConcurrentHashMap<>();
    /** The highest offset each revoked partition's batch had taken: a delivery in flight may hold what followed. */
    private final Map<TopicPartition, Long> revoked = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    protected LaneSink(SinkLane lane, KafkaClientService kafka, ClickHouseBatchSink sink, RejectedRows deadLetters,
                       MeterRegistry meters, EventTracing tracing, RouterConfig config) {
        this.lane = lane;
        this.kafka = kafka;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.tracing = tracing;
        this.maxRows = config.sink().batchRows();
        this.maxAgeNanos = config.sink().batchAge().toNanos();
        this.minAgeNanos = config.sink().batchMinAge().toNanos();
        this.initialBackoff = config.sink().retry().initialBackoff();
        this.maxBackoff = config.sink().retry().maxBackoff();
        this.freshness = Timer.builder(lane.freshnessMetric())
                .description("From the gateway accepting an event to ClickHouse storing it (" + lane.tag() + " lane)")
                .publishPercentileHistogram().register(meters);
        meters.gauge("freshet.sink.paused.partitions", List.of(Tag.of("lane", lane.tag())), pausedPartitions);
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sink-" + lane.tag()).daemon().factory());
        long tick = config.sink().batchMinAge().toMillis();
        ticker.scheduleWithFixedDelay(this::flushAged, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a delivered batch (on a worker thread; the next one is delivered once this returns) and inserts the
     * partitions' batches that are full or old; the rest wait for more records or for {@link #flushAged}.
     */
    protected synchronized void store(ConsumerRecords<String, SpecificRecord> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionBatch batch = batches.get(partition);
            if (batch != null) { // else revoked since the poll: its next owner reads these records again
                batch.add(records.records(partition));
            }
        }
        flushWhileDue(Map.of());
    }

    /**
     * Every tick: inserts the batches that are old, or that waited the shortest age while Kafka has nothing more for
     * their partition yet. Under load a batch grows to its full size; when the flow is thin it goes at once.
     */
    private synchronized void flushAged() {
        try {
            long now = System.nanoTime();
            List<TopicPartition> waiting = batches.entrySet().stream()
                    .filter(e -> e.getValue().size() > 0 && now - e.getValue().firstAddedAt() >= minAgeNanos)
                    .map(Map.Entry::getKey).toList();
            if (running && !waiting.isEmpty()) {
                flushWhileDue(caughtUp(waiting));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Inserting the aged batches of %s failed (%s); the next tick tries again", lane.channel(), e.toString());
        }
    }

    private void flushWhileDue(Map<TopicPartition, Boolean> caughtUp) {
        Map<TopicPartition, PartitionBatch> due = dueBatches(caughtUp);
        while (running && !due.isEmpty()) {
            flush(due);
            due = dueBatches(Map.of()); // what is left after a full batch
        }
    }

    private Map<TopicPartition, PartitionBatch> dueBatches(Map<TopicPartition, Boolean> caughtUp) {
        Map<TopicPartition, PartitionBatch> due = new HashMap<>();
        batches.forEach((partition, batch) -> {
            if (batch.due(maxRows, maxAgeNanos, minAgeNanos, caughtUp.getOrDefault(partition, false))) {
                due.put(partition, batch);
            }
        });
        return due;
    }

    /** Whether the consumer has read all Kafka holds of each partition, as of its last fetch (on its polling thread). */
    private Map<TopicPartition, Boolean> caughtUp(List<TopicPartition> partitions) {
        Function<Consumer<String, SpecificRecord>, Map<TopicPartition, Boolean>> lags = c -> {
            Map<TopicPartition, Boolean> caughtUp = new HashMap<>();
            for (TopicPartition partition : partitions) {
                if (c.assignment().contains(partition)) {
                    OptionalLong lag = c.currentLag(partition);
                    caughtUp.put(partition, lag.isPresent() && lag.getAsLong() == 0);
                }
            }
            return caughtUp;
        };
        return consumer().runOnPollingThread(lags).await().indefinitely();
    }

    /**
     * The intents of every ready partition committed at once, each partition's batch inserted (retried until it lands
     * or the partition moves away), then the offsets past them committed at once: two commits per cycle, however many
     * partitions (a commit runs on the consumer's polling thread, between two polls).
     */
    private void flush(Map<TopicPartition, PartitionBatch> ready) {
        Map<TopicPartition, PartitionBatch.Next> next = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> intents = new HashMap<>();
        ready.forEach((partition, batch) -> {
            PartitionBatch.Next batchNext = batch.next(maxRows);
            next.put(partition, batchNext);
            intents.put(partition, new OffsetAndMetadata(batchNext.intent().first(), batchNext.intent().encode()));
        });
        Set<TopicPartition> intended = commitOwned(intents, ready);
        Map<TopicPartition, OffsetAndMetadata> stored = new HashMap<>();
        intended.forEach(partition -> {
            PartitionBatch.Next batchNext = next.get(partition);
            BatchIntent intent = batchNext.intent();
            // false: the partition moved to another instance, which re-forms this batch from the intent
            if (insert(partition, ready.get(partition), batchNext.records(), intent.deduplicationToken(partition.topic(), partition.partition()))) {
                stored.put(partition, new OffsetAndMetadata(intent.last() + 1));
            }
        });
        Instant now = Instant.now();
        commitOwned(stored, ready).forEach(partition -> {
            var records = next.get(partition).records();
            ready.get(partition).completed(records);
            for (var record : records) {
                if (record.value() instanceof EnrichedEvent event) {
                    freshness.record(Duration.between(event.getReceivedAt(), now));
                }
            }
        });
    }

    /**
     * True once ClickHouse holds the batch; false when the partition was revoked while retrying (even if it came
     * back: its new batch starts over from the committed intent) or the service stops.
     */
    private boolean insert(TopicPartition partition, PartitionBatch batch, List<ConsumerRecord<String, SpecificRecord>> records,
                           String token) {
        SinkTable table = SinkTable.of(partition.topic());
        Span span = tracing.insert(table.table(), partition.toString(), records); // one span over every attempt
        Duration backoff = initialBackoff;
        try {
            while (true) {
                try {
                    deadLetters.send(sink.insert(table, records, token));
                    span.end();
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw e;
                } catch (Exception e) {
                    LOG.warnf("ClickHouse did not take %d rows of %s (%s); retrying in %s", records.size(), partition,
                            e.getCause() != null ? e.getCause().toString() : e.toString(), backoff);
                    span.recordException(e);
                }
                // the connector keeps polling, and pauses fetching while this batch is not done
                pausedPartitions.set(batches.size());
                Thread.sleep(backoff.toMillis());
                if (!running || batches.get(partition) != batch) {
                    EventTracing.fail(span, new IllegalStateException("the partition moved away before the insert landed"));
                    return false;
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        } catch (InterruptedException e) {
            EventTracing.fail(span, e);
            return false;
        } finally {
            pausedPartitions.set(0);
        }
    }

    /**
     * Commits the offsets of the partitions this instance still owns with the same batch, and returns those. Checked
     * on the consumer's polling thread, where assignments change: Kafka takes a commit from a group member for any
     * partition, so an insert that outlived a rebalance must not move the new owner's offset. When Kafka refuses the
     * commit (e.g. during a rebalance), the consumer is rewound and every batch formed again from its committed intent
     * (whichever commit it was: a re-formed batch's insert carries the same token, which ClickHouse drops if it had
     * landed), and none is returned.
     */
    private Set<TopicPartition> commitOwned(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, PartitionBatch> of) {
        if (offsets.isEmpty()) {
            return Set.of();
        }
        Function<Consumer<String, SpecificRecord>, Set<TopicPartition>> commit = c -> {
            Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (batches.get(partition) == of.get(partition)) {
                    owned.put(partition, offset);
                }
            });
            if (!owned.isEmpty()) {
                c.commitSync(owned);
            }
            return owned.keySet();
        };
        try {
            return consumer().runOnPollingThread(commit).await().indefinitely();
        } catch (KafkaException e) {
            LOG.warnf("Committing %s failed (%s); re-forming their batches", offsets, e.toString());
            rewind();
            return Set.of();
        }
    }

    /**
     * Back to the committed offsets, with the records fetched past them dropped, and every owned partition's batch
     * formed anew from its intent: as after an assignment. A failure here is logged; the next commit meets it again.
     */
    private void rewind() {
        try {
            KafkaConsumer<String, SpecificRecord> consumer = consumer();
            consumer.resetToLastCommittedPositions().await().indefinitely();
            consumer.runOnPollingThread(c -> {
                formBatches(c, c.assignment());
            }).await().indefinitely();
        } catch (KafkaException e) {
            LOG.warnf("Cannot rewind %s yet: %s", lane.channel(), e.toString());
        }
    }

    /**
     * A partition's batch starts at its committed offset, from the intent that offset carries, if any; records a delivery
     * fetched for the batch it replaces are told apart by that batch's highest offset.
     */
    private void formBatches(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            Optional<BatchIntent> intent = BatchIntent.decode(offset == null ? null : offset.metadata());
            intent.ifPresent(i -> LOG.infof("Re-forming the batch %s of %s that a predecessor may have inserted", i, partition));
            PartitionBatch previous = batches.get(partition);
            Long previousHighest = previous != null ? Long.valueOf(previous.highest()) : revoked.remove(partition);
            batches.put(partition, new PartitionBatch(intent, offset == null ? 0 : offset.offset(),
                    previousHighest == null ? -1 : previousHighest));
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        formBatches(consumer, partitions);
    }

    /** A revoked partition's unstored records are dropped here and read again by the next owner from the committed offset. */
    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionBatch batch = batches.remove(partition);
            if (batch != null) {
                revoked.put(partition, batch.highest());
            }
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private KafkaConsumer<String, SpecificRecord> consumer() {
        return kafka.getConsumer(lane.channel());
    }

    /** A batch being retried gives up, so the connector can shut down. */
    @PreDestroy
    void stop() {
        running = false;
        ticker.shutdownNow();
    }
}

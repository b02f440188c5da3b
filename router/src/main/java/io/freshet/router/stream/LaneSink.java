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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exactly once from a lane's channel ({@link SinkLane}: freshet.events.enriched and freshet.billing.usage, or
 * freshet.events.late) into ClickHouse ({@link SinkTable}). Each delivered batch is inserted partition by partition;
 * before a partition's rows are inserted, their offset range is committed as the partition's offset metadata, with
 * the offset itself unchanged; after the insert, the offset moves past them. A crash between the two leaves the range
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
        this.initialBackoff = config.sink().retry().initialBackoff();
        this.maxBackoff = config.sink().retry().maxBackoff();
        this.freshness = Timer.builder(lane.freshnessMetric())
                .description("From the gateway accepting an event to ClickHouse storing it (" + lane.tag() + " lane)")
                .publishPercentileHistogram().register(meters);
        meters.gauge("freshet.sink.paused.partitions", List.of(Tag.of("lane", lane.tag())), pausedPartitions);
    }

    /** Stores a delivered batch (on a worker thread); the next one is delivered once this returns. */
    protected void store(ConsumerRecords<String, SpecificRecord> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionBatch batch = batches.get(partition);
            if (batch == null) {
                continue; // revoked since the poll: its next owner reads these records again
            }
            batch.add(records.records(partition));
            while (running && batch != null && batch.ready()) {
                flush(partition, batch);
                batch = batches.get(partition); // gone if revoked while ClickHouse was retried
            }
        }
    }

    /** Intent committed, batch inserted (retried until it lands or the partition moves away), offset committed. */
    private void flush(TopicPartition partition, PartitionBatch batch) {
        PartitionBatch.Next next = batch.next(maxRows);
        BatchIntent intent = next.intent();
        try {
            commit(partition, new OffsetAndMetadata(intent.first(), intent.encode()));
            if (!insert(partition, batch, next.records(), intent.deduplicationToken(partition.topic(), partition.partition()))) {
                return; // the partition moved to another instance, which re-forms this batch from the intent
            }
            commit(partition, new OffsetAndMetadata(intent.last() + 1));
        } catch (KafkaException e) {
            // e.g. a commit refused during a rebalance. Whichever commit it was, re-forming this very batch is right:
            // its insert carries the same token, so ClickHouse drops it if it had landed.
            LOG.warnf("Committing %s failed (%s); re-forming the batch %s", partition, e.toString(), intent);
            rewind();
            return;
        }
        batch.completed(next.records());
        Instant now = Instant.now();
        for (var record : next.records()) {
            if (record.value() instanceof EnrichedEvent event) {
                freshness.record(Duration.between(event.getReceivedAt(), now));
            }
        }
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

    private void commit(TopicPartition partition, OffsetAndMetadata offset) {
        consumer().commit(Map.of(partition, offset)).await().indefinitely();
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
    }
}

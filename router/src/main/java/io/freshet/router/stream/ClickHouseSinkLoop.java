package io.freshet.router.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import org.apache.avro.specific.SpecificRecord;
import io.freshet.eventmodel.kafka.ConsumerLoop;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.BatchIntent;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.FlushPolicy;
import io.freshet.router.sink.SinkConfig;
import io.freshet.router.sink.PartitionBatch;
import io.freshet.router.sink.SinkTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exactly once from a lane's topics ({@link SinkLane}: freshet.events.enriched and freshet.billing.usage, or
 * freshet.events.late) into ClickHouse ({@link SinkTable}). Each partition's records are batched on their own
 * (flushed by size or age); before a batch is inserted, its offset range is committed as the partition's offset
 * metadata, with the offset itself unchanged; after the insert, the offset moves past the batch. A crash between
 * the two leaves the range behind, and whoever owns the partition next re-forms exactly that batch, whose
 * insert carries the same deduplication token, which ClickHouse drops if the first insert had landed. While
 * ClickHouse fails, the router pauses its partitions and retries the same batch; lag grows, nothing is dropped.
 * Rows ClickHouse refuses for their values go to the DLQ with its reason; the rest of their batch is stored.
 */
public abstract class ClickHouseSinkLoop extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(ClickHouseSinkLoop.class);

    private final SinkLane lane;
    private final RouterClients clients;
    private final ClickHouseBatchSink sink;
    private final RejectedRows deadLetters;
    private final MeterRegistry meters;
    private final EventTracing tracing;
    private final FlushPolicy flushPolicy;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Timer freshness;
    private final AtomicInteger pausedPartitions = new AtomicInteger();
    private final Map<TopicPartition, PartitionBatch> batches = new HashMap<>();

    protected ClickHouseSinkLoop(SinkLane lane, RouterClients clients, ClickHouseBatchSink sink, RejectedRows deadLetters,
                                 MeterRegistry meters, EventTracing tracing, SinkConfig config) {
        this.lane = lane;
        this.clients = clients;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.tracing = tracing;
        this.meters = meters;
        this.flushPolicy = config.flushPolicy();
        this.initialBackoff = config.retry().initialBackoff();
        this.maxBackoff = config.retry().maxBackoff();
        this.freshness = Timer.builder(lane.freshnessMetric())
                .description("From the gateway accepting an event to ClickHouse storing it (" + lane.tag() + " lane)")
                .publishPercentileHistogram().register(meters);
        meters.gauge("freshet.sink.paused.partitions", List.of(Tag.of("lane", lane.tag())), pausedPartitions);
    }

    @Override
    protected void consume() {
        try (var consumer = wakeable(clients.consumer(lane.group(), lane.member()));
             var consumerMetrics = new KafkaClientMetrics(consumer)) {
            consumerMetrics.bindTo(meters); // includes records-lag per partition
            consumer.subscribe(lane.topics(), new BatchOwnership(consumer));
            while (running()) {
                buffer(consumer.poll(Duration.ofMillis(100)));
                for (TopicPartition partition : List.copyOf(batches.keySet())) {
                    PartitionBatch batch = batches.get(partition);
                    while (batch != null && batch.ready(flushPolicy, caughtUp(consumer, partition))) {
                        flush(consumer, partition, batch);
                        batch = batches.get(partition); // gone if revoked while ClickHouse was retried
                    }
                }
            }
        }
    }

    /** Kafka has nothing more for the partition yet (as of the last fetch). */
    private static boolean caughtUp(KafkaConsumer<String, SpecificRecord> consumer, TopicPartition partition) {
        OptionalLong lag = consumer.currentLag(partition);
        return lag.isPresent() && lag.getAsLong() == 0;
    }

    private void buffer(ConsumerRecords<String, SpecificRecord> records) {
        for (TopicPartition partition : records.partitions()) {
            batches.get(partition).add(records.records(partition));
        }
    }

    @Override
    public String name() {
        return lane.name();
    }

    /** Intent committed, batch inserted (retried until it lands or the partition moves away), offset committed. */
    private void flush(KafkaConsumer<String, SpecificRecord> consumer, TopicPartition partition, PartitionBatch batch) {
        PartitionBatch.Next next = batch.next(flushPolicy.maxRows());
        BatchIntent intent = next.intent();
        try {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(intent.first(), intent.encode())));
            if (!insert(consumer, partition, batch, next.records(), intent.deduplicationToken(partition.topic(), partition.partition()))) {
                return; // the partition moved to another instance, which re-forms this batch from the intent
            }
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(intent.last() + 1)));
        } catch (WakeupException e) {
            throw e; // stopping
        } catch (KafkaException e) {
            // e.g. a commit refused during a rebalance. Whichever commit it was, re-forming this very batch is right:
            // its insert carries the same token, so ClickHouse drops it if it had landed.
            LOG.warnf("Committing %s failed (%s); re-forming the batch %s", partition, e.toString(), intent);
            if (consumer.assignment().contains(partition)) {
                batches.put(partition, new PartitionBatch(Optional.of(intent)));
                consumer.seek(partition, intent.first());
            }
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
     * back: its new batch starts over from the committed intent).
     */
    private boolean insert(KafkaConsumer<String, SpecificRecord> consumer, TopicPartition partition, PartitionBatch batch,
                           List<ConsumerRecord<String, SpecificRecord>> records, String token) {
        SinkTable table = SinkTable.of(partition.topic());
        Span span = tracing.insert(table.table(), partition.toString(), records); // one span over every attempt
        Duration backoff = initialBackoff;
        while (true) {
            try {
                deadLetters.send(sink.insert(table, records, token));
                resumeAll(consumer);
                span.end();
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                EventTracing.fail(span, e);
                throw new WakeupException();
            } catch (Exception e) {
                LOG.warnf("ClickHouse did not take %d rows of %s (%s); pausing and retrying in %s",
                        records.size(), partition, e.getCause() != null ? e.getCause().toString() : e.toString(), backoff);
                span.recordException(e);
            }
            // keep the group membership alive (and hear of rebalances) without fetching more
            consumer.pause(consumer.assignment());
            pausedPartitions.set(consumer.paused().size());
            buffer(consumer.poll(backoff)); // only partitions assigned meanwhile, not yet paused, can return records
            if (!running() || batches.get(partition) != batch) {
                resumeAll(consumer);
                EventTracing.fail(span, new IllegalStateException("the partition moved away before the insert landed"));
                return false;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    private void resumeAll(KafkaConsumer<String, SpecificRecord> consumer) {
        if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
            pausedPartitions.set(0);
        }
    }

    /**
     * A partition's batch belongs to its owner: a revoked partition's unstored records are dropped here and read
     * again by the next owner from the committed offset, with the intent it finds there.
     */
    private final class BatchOwnership implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, SpecificRecord> consumer;

        BatchOwnership(KafkaConsumer<String, SpecificRecord> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(batches::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                Optional<BatchIntent> intent = BatchIntent.decode(offset == null ? null : offset.metadata());
                intent.ifPresent(i -> LOG.infof("Re-forming the batch %s of %s that a predecessor may have inserted", i, partition));
                batches.put(partition, new PartitionBatch(intent));
            }
        }
    }
}

package io.freshet.router.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.router.config.RouterConfig;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.sink.Batch;
import io.freshet.router.sink.BatchAssembler;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.CommitProtocol;
import io.freshet.router.sink.ConsumerOffsets;
import io.freshet.router.sink.CrashPoints;
import io.freshet.router.sink.Retry;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A lane's channel ({@link SinkLane}) into ClickHouse, exactly once: the channel's deliveries go to a
 * {@link BatchAssembler}, whose batches (one per table, across every partition the instance owns) are stored by the
 * {@link CommitProtocol} through the channel's own consumer; this class wires them to Kafka (deliveries, assignments,
 * the polling thread), paces the cycles, and meters and traces them.
 * <p>
 * The channel's connector does not commit ({@code commit-strategy=ignore}): only the protocol does. While ClickHouse
 * fails, the same batch is retried and the connector, not asked for more, pauses fetching: lag grows, nothing is dropped.
 */
public abstract class LaneSink implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(LaneSink.class);

    private final SinkLane lane;
    private final KafkaClientService kafka;
    private final BatchAssembler assembler;
    private final CommitProtocol protocol;
    private final Retry retry;
    private final EventTracing tracing;
    private final Timer freshness;
    /** Forms the batches that are due by age while no delivery comes (serialized with {@link #store}). */
    private final ScheduledExecutorService ticker;
    private volatile boolean running = true;

    protected LaneSink(SinkLane lane, KafkaClientService kafka, ClickHouseBatchSink sink, RejectedRows deadLetters,
                       RouterClients clients, MeterRegistry meters, EventTracing tracing, RouterConfig config) {
        this.lane = lane;
        this.kafka = kafka;
        this.tracing = tracing;
        RouterConfig.Sink settings = config.sink();
        this.assembler = new BatchAssembler(settings.batchRows(), settings.batchAge().toNanos(), settings.batchMinAge().toNanos(),
                System::nanoTime);
        this.retry = new Retry(settings.retry().initialBackoff(), settings.retry().maxBackoff(), d -> Thread.sleep(d.toMillis()));
        this.protocol = new CommitProtocol(new ConsumerOffsets(new ConsumerOffsets.PollingThread() {
            @Override
            public <T> T run(Function<Consumer<?, ?>, T> work) {
                return consumer().runOnPollingThread(work::apply).await().indefinitely();
            }
        }), (table, records, token) -> deadLetters.send(sink.insert(table, records, token)),
                new KafkaRangeReader(clients, "router-" + lane.tag() + "-reformer-" + config.instanceId()), retry,
                settings.haltAt().map(CrashPoints::haltAt).orElse(CrashPoints.NONE));
        this.freshness = Timer.builder(lane.freshnessMetric())
                .description("From the gateway accepting an event to ClickHouse storing it (" + lane.tag() + " lane)")
                .publishPercentileHistogram().register(meters);
        // while a batch is retried, the connector pauses fetching every partition of the lane
        meters.gauge("freshet.sink.paused.partitions", List.of(Tag.of("lane", lane.tag())), retry,
                r -> r.retrying().get() > 0 ? assembler.assigned().size() : 0);
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sink-" + lane.tag()).daemon().factory());
        long tick = settings.batchMinAge().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Takes a delivery (on a worker thread; the next one is delivered once this returns) and stores what is due. */
    protected synchronized void store(ConsumerRecords<String, SpecificRecord> records) {
        assembler.add(records);
        while (running && assembler.due(p -> false) && cycle()) {
            // full batches, one after another
        }
    }

    /** Every tick: stores what waited the shortest age while Kafka has nothing more for its partitions, or the longest. */
    private synchronized void tick() {
        try {
            if (running && assembler.due(caughtUp(assembler.waiting()))) {
                cycle();
            }
        } catch (RuntimeException e) {
            LOG.warnf("A cycle of %s failed (%s); the next tick tries again", lane.channel(), e.toString());
        }
    }

    /**
     * Re-forms the batches found pending at assignment, then stores one batch per table. False when Kafka refused a
     * commit and the lane was rewound: the next delivery or tick goes on.
     */
    private boolean cycle() {
        try {
            for (Batch batch : assembler.reformations()) {
                assembler.reformed(batch, protocol.reform(batch, held(batch)));
            }
            for (Batch batch : assembler.next()) {
                store(batch);
            }
            return true;
        } catch (KafkaException e) {
            LOG.warnf("Kafka refused a commit of %s (%s); re-forming its batches from the committed offsets", lane.channel(), e.toString());
            rewind();
            return false;
        }
    }

    private void store(Batch batch) {
        String partitions = batch.manifest().members().stream().map(m -> String.valueOf(m.partition())).collect(Collectors.joining(","));
        Span span = tracing.insert(batch.table().table(), partitions, batch.records()); // one span over every attempt
        Set<TopicPartition> completed = protocol.store(batch, held(batch));
        if (completed.isEmpty()) {
            EventTracing.fail(span, new IllegalStateException("the batch's partitions moved away before it was stored"));
            return;
        }
        span.end();
        assembler.completed(batch, completed);
        Instant now = Instant.now();
        for (var record : batch.records()) {
            if (record.value() instanceof EnrichedEvent event) {
                freshness.record(Duration.between(event.getReceivedAt(), now));
            }
        }
    }

    private Predicate<TopicPartition> held(Batch batch) {
        return partition -> assembler.holds(batch, partition);
    }

    /** Whether the consumer has read all Kafka holds of each partition, as of its last fetch (on its polling thread). */
    private Predicate<TopicPartition> caughtUp(List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return p -> false;
        }
        Function<Consumer<String, SpecificRecord>, Set<TopicPartition>> lags = c -> partitions.stream().filter(p -> {
            OptionalLong lag = c.assignment().contains(p) ? c.currentLag(p) : OptionalLong.empty();
            return lag.isPresent() && lag.getAsLong() == 0;
        }).collect(Collectors.toSet());
        Set<TopicPartition> caughtUp = consumer().runOnPollingThread(lags).await().indefinitely();
        return caughtUp::contains;
    }

    /**
     * Back to the committed offsets, the records fetched past them dropped, and every owned partition resolved anew:
     * as after an assignment. A failure here is logged; the next commit meets it again.
     */
    private void rewind() {
        try {
            KafkaConsumer<String, SpecificRecord> consumer = consumer();
            consumer.resetToLastCommittedPositions().await().indefinitely();
            consumer.runOnPollingThread(c -> {
                onPartitionsAssigned(c, c.assignment());
            }).await().indefinitely();
        } catch (KafkaException e) {
            LOG.warnf("Cannot rewind %s yet: %s", lane.channel(), e.toString());
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        protocol.resolve(ConsumerOffsets.of(consumer), partitions).forEach(assembler::assign);
    }

    /** A revoked partition's unstored records are dropped here and read again by the next owner from the committed offset. */
    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assembler.revoke(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private KafkaConsumer<String, SpecificRecord> consumer() {
        return kafka.getConsumer(lane.channel());
    }

    /**
     * A batch being retried gives up, so the connector can shut down; one whose insert landed still moves its offsets
     * past it.
     */
    @PreDestroy
    void stop() {
        running = false;
        retry.stop();
        ticker.shutdownNow();
    }
}

package io.freshet.enricher.stream;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.enricher.schema.SchemaGovernance;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Exactly-once consume-transform-produce from freshet.events.raw: each batch the channel delivers is enriched
 * ({@link BatchEnricher}) and written together with its consumer offsets in one Kafka transaction. A failure
 * anywhere leaves either the whole batch committed or none of it, and the batch is then read again from the
 * committed offsets.
 */
@ApplicationScoped
public class RawEventStream {

    /** Raw events in (batches, read_committed, offsets committed by the transactions only). */
    public static final String RAW = "raw-events";
    /** Everything the enricher writes, each record naming its topic, in the transactions of {@link #RAW}'s batches. */
    public static final String OUT = "enrichment";
    private static final Logger LOG = Logger.getLogger(RawEventStream.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final BatchEnricher enricher;
    private final KafkaTransactions<ProducerRecord<String, byte[]>> transactions;
    private final KafkaClientService kafka;
    private final TenantRegistry tenants;
    private final SchemaGovernance schemas;
    private final MeterRegistry meters;
    private final Duration retryBackoff;
    private final Timer transactionTimer;
    private final Timer freshness;
    private volatile boolean started;
    /** False after a failed batch until the consumer is back at the committed offsets, its fetched records dropped. */
    private volatile boolean rewound = true;
    private Duration backoff;

    public RawEventStream(BatchEnricher enricher,
                          @Channel(OUT) KafkaTransactions<ProducerRecord<String, byte[]>> transactions,
                          KafkaClientService kafka, TenantRegistry tenants, SchemaGovernance schemas, MeterRegistry meters,
                          EnricherConfig config) {
        Duration retryBackoff = config.retryBackoff();
        this.enricher = enricher;
        this.transactions = transactions;
        this.kafka = kafka;
        this.tenants = tenants;
        this.schemas = schemas;
        this.meters = meters;
        this.retryBackoff = retryBackoff;
        this.backoff = retryBackoff;
        this.transactionTimer = Timer.builder("freshet.enricher.transaction")
                .description("One batch: enrich, write and commit it with its offsets")
                .publishPercentileHistogram().register(meters);
        this.freshness = Timer.builder("freshet.enricher.freshness")
                .description("From the gateway's acceptance of an event to the commit of its enriched record")
                .publishPercentileHistogram().register(meters);
    }

    /** On a worker thread, one batch at a time: the next is handed on once this one's Uni completed. */
    @Incoming(RAW)
    @Blocking
    public Uni<Void> enrich(KafkaRecordBatch<String, String> batch) {
        long start = System.nanoTime();
        ConsumerRecords<String, String> records = recordsOf(batch);
        Map<TopicPartition, Long> next = new HashMap<>();
        List<ConsumerRecord<String, String>> all = new ArrayList<>(records.count());
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, String>> ofPartition = records.records(partition);
            next.put(partition, ofPartition.getLast().offset() + 1);
            all.addAll(ofPartition);
        }
        if (!rewound) {
            // fetched past a failed batch: committing these offsets would skip its records
            LOG.debugf("Skipping %d raw records fetched before the consumer was rewound", all.size());
            return rewind();
        }
        EnrichedBatch enriched;
        try {
            awaitStart();
            enriched = enricher.enrich(all);
        } catch (RuntimeException e) {
            return failed(all.size(), e);
        }
        List<Future<RecordMetadata>> idsWritten = new ArrayList<>();
        // begin, the offsets, commit or abort: KafkaTransactions. The records go to its producer directly, in one hop
        // to its sending thread: a Message per record through the emitter halved the enricher's throughput
        return transactions.withTransaction(batch, emitter -> producer().runOnSendingThread(producer -> {
                    enriched.records().forEach(producer::send);
                    enriched.idChangelog().forEach(record -> idsWritten.add(producer.send(record)));
                }))
                .chain(() -> committed(next))
                .invoke(() -> {
                    enriched.committed(idsWritten.stream().map(RawEventStream::written).toList(), meters, freshness);
                    backoff = retryBackoff;
                    transactionTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                })
                .onFailure().recoverWithUni(e -> {
                    enriched.failed(e);
                    return failed(all.size(), e);
                });
    }

    /**
     * Fails unless Kafka holds the batch's offsets as committed. SmallRye (4.33) answers a transaction whose commit
     * failed but whose abort succeeded as if it had committed, and does not rewind the consumer then: taking that
     * for a commit would lose the batch and record its event ids as seen.
     */
    private Uni<Void> committed(Map<TopicPartition, Long> next) {
        return consumer().committed(next.keySet().toArray(TopicPartition[]::new)).invoke(committed -> {
            for (var partition : next.entrySet()) {
                OffsetAndMetadata offset = committed.get(partition.getKey());
                if (offset == null || offset.offset() != partition.getValue()) {
                    throw new IllegalStateException("the transaction of " + partition.getKey() + " up to offset "
                            + partition.getValue() + " did not commit (committed: " + offset + ")");
                }
            }
        }).replaceWithVoid();
    }

    /** Nothing of the batch is visible: rewind to the committed offsets and go on after a doubling backoff. */
    private Uni<Void> failed(int size, Throwable e) {
        LOG.warnf("A batch of %d raw records was not committed and will be read again in %s: %s", size, backoff, e.toString());
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        return Uni.createFrom().voidItem().onItem().delayIt().by(wait).chain(this::rewind);
    }

    /**
     * Back to the committed offsets, with the records fetched past them dropped (on the polling thread). The next batch
     * is asked for only once this completes, so it is read from there; when it fails, the next batch is skipped and
     * the rewind tried again.
     */
    private Uni<Void> rewind() {
        rewound = false;
        return consumer().resetToLastCommittedPositions()
                .invoke(() -> rewound = true)
                .onFailure().invoke(e -> LOG.warnf("Cannot rewind the raw consumer yet: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Before the first batch: the tenant registry has caught up (events of a tenant created a moment ago must not be
     * dead-lettered because it lags), and the schemas have their compatibility rules.
     */
    private void awaitStart() {
        if (started) {
            return;
        }
        try {
            while (!tenants.isCaughtUp()) {
                Thread.sleep(50);
            }
            schemas.govern();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting", e);
        }
        started = true;
    }

    private KafkaProducer<String, byte[]> producer() {
        return kafka.getProducer(OUT);
    }

    /** Complete once the transaction committed. */
    private static RecordMetadata written(Future<RecordMetadata> send) {
        try {
            return send.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("A committed send has no result", e);
        }
    }

    private KafkaConsumer<String, String> consumer() {
        return kafka.getConsumer(RAW);
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecords<String, String> recordsOf(KafkaRecordBatch<String, String> batch) {
        return batch.getMetadata(IncomingKafkaRecordBatchMetadata.class).orElseThrow().getRecords();
    }
}

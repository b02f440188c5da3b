package io.freshet.enricher.stream;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.freshet.enricher.deadletter.DeadLetters;
import io.freshet.enricher.processing.Enrichment;
import io.freshet.enricher.processing.EventEnricher;
import io.freshet.enricher.processing.InvalidRawEventException;
import io.freshet.enricher.processing.UnknownTenantException;
import io.freshet.enricher.schema.SchemaGovernance;
import io.freshet.eventmodel.kafka.TransactionalProducer;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Exactly-once consume-transform-produce from freshet.events.raw: each polled batch is enriched and
 * written (enriched, late or dead-letter records) together with the batch's consumer offsets in one Kafka
 * transaction. A crash anywhere leaves either the whole batch committed or none of it, and the batch is
 * then read again from the committed offsets.
 */
@ApplicationScoped
public class TransactionalEnricher implements Runnable {

    private static final Logger LOG = Logger.getLogger(TransactionalEnricher.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final EnricherClients clients;
    private final EventEnricher enricher;
    private final DeadLetters deadLetters;
    private final TenantRegistry tenants;
    private final SchemaGovernance schemas;
    private final MeterRegistry meters;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Timer transactionTimer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;
    private TransactionalProducer producer;
    private AvroKafkaSerializer<EnrichedEvent> avro;

    public TransactionalEnricher(EnricherClients clients, EventEnricher enricher, DeadLetters deadLetters,
                                 TenantRegistry tenants, SchemaGovernance schemas, MeterRegistry meters,
                                 @ConfigProperty(name = "freshet.enricher.max-attempts") int maxAttempts,
                                 @ConfigProperty(name = "freshet.enricher.retry-backoff") Duration retryBackoff) {
        this.clients = clients;
        this.enricher = enricher;
        this.deadLetters = deadLetters;
        this.tenants = tenants;
        this.schemas = schemas;
        this.meters = meters;
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.transactionTimer = Timer.builder("freshet.enricher.transaction")
                .description("One batch: enrich, write and commit it with its offsets")
                .publishPercentileHistogram().register(meters);
    }

    /** After the topics exist and the tenant registry started (priorities 1 and 2). */
    void onStart(@Observes @Priority(4) StartupEvent event) {
        Thread.ofPlatform().name("enricher").start(this);
    }

    @Override
    public void run() {
        try (var consumer = clients.consumer();
             var consumerMetrics = new KafkaClientMetrics(consumer)) {
            consumerMetrics.bindTo(meters); // includes records-lag per partition
            this.consumer = consumer;
            awaitTenants();
            governSchemas();
            consumer.subscribe(List.of(Topics.RAW));
            Duration backoff = retryBackoff;
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                if (enrichInTransaction(consumer, records)) {
                    backoff = retryBackoff;
                } else {
                    Thread.sleep(backoff);
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("The enricher stopped", e);
        } finally {
            closeProducer();
            stopped.countDown();
        }
    }

    /** Events of a tenant created a moment ago must not be dead-lettered because the registry lags. */
    private void awaitTenants() throws InterruptedException {
        while (running && !tenants.isCaughtUp()) {
            Thread.sleep(50);
        }
    }

    /** Before the first record: nothing is written under a schema without its compatibility rule. */
    private void governSchemas() throws InterruptedException {
        while (running) {
            try {
                schemas.govern();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("Cannot reach the schema registry yet (%s); trying again", e.toString());
                Thread.sleep(1000);
            }
        }
    }

    /** True when the batch committed; otherwise nothing of it is visible and the consumer is back at its start. */
    private boolean enrichInTransaction(KafkaConsumer<String, String> consumer, ConsumerRecords<String, String> records) {
        long start = System.nanoTime();
        var tally = new Tally();
        try {
            KafkaProducer<String, byte[]> producer = producer().kafka();
            producer.beginTransaction();
            for (ConsumerRecord<String, String> record : records) {
                producer.send(output(record, tally));
            }
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (RuntimeException e) {
            LOG.warnf("A batch of %d raw records was not committed and will be read again: %s", records.count(), e.toString());
            closeProducer(); // the next producer with this id fences the open transaction, which aborts it
            rewind(consumer, records);
            return false;
        }
        transactionTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        tally.publish(meters);
        return true;
    }

    /** The record's output: enriched or late, or a dead letter when the event itself cannot be enriched. */
    private ProducerRecord<String, byte[]> output(ConsumerRecord<String, String> record, Tally tally) {
        for (int attempt = 1; ; attempt++) {
            Enrichment enrichment;
            try {
                enrichment = enricher.enrich(record);
            } catch (InvalidRawEventException e) {
                return deadLetter(record, e, attempt, tally);
            } catch (RuntimeException e) { // unknown tenant (registry behind?) or an unexpected shape
                // one wait per unknown tenant and batch: a deleted tenant's backlog must not crawl
                if (attempt >= maxAttempts || (attempt == 1 && e instanceof UnknownTenantException unknown
                        && !tally.awaitedTenants.add(unknown.tenantId()))) {
                    return deadLetter(record, e, attempt, tally);
                }
                pauseUninterruptibly(retryBackoff.multipliedBy(1L << (attempt - 1)));
                continue;
            }
            // a serializer failure (registry away, schema not cached) is not the event's fault: the batch retries
            var headers = new RecordHeaders();
            byte[] value = avro().serialize(enrichment.topic(), headers, enrichment.event());
            tally.add(enrichment.event().getTenantId(), Topics.LATE.equals(enrichment.topic()) ? "late" : "enriched");
            return new ProducerRecord<>(enrichment.topic(), null, record.key(), value, headers);
        }
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, String> record, Exception failure,
                                                      int attempts, Tally tally) {
        String tenant = failure instanceof UnknownTenantException unknown ? unknown.tenantId()
                : enricher.tenantOf(record.value());
        tally.add(tenant == null ? "unknown" : tenant, "dead_lettered");
        return deadLetters.of(record, tenant, failure, attempts);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, String> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            offsets.put(partition, new OffsetAndMetadata(records.records(partition).getLast().offset() + 1));
        }
        return offsets;
    }

    private static void rewind(KafkaConsumer<String, String> consumer, ConsumerRecords<String, String> records) {
        for (TopicPartition partition : records.partitions()) {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, records.records(partition).getFirst().offset());
            }
        }
    }

    private TransactionalProducer producer() {
        if (producer == null) {
            producer = clients.producer(meters);
        }
        return producer;
    }

    private AvroKafkaSerializer<EnrichedEvent> avro() {
        if (avro == null) {
            avro = clients.avroSerializer();
        }
        return avro;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private static void pauseUninterruptibly(Duration backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @PreDestroy
    void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Outcomes of one batch by tenant, counted only once the batch committed; and the unknown tenants waited for. */
    private static final class Tally {
        private final Map<List<String>, Integer> counts = new HashMap<>();
        private final Set<String> awaitedTenants = new HashSet<>();

        void add(String tenant, String outcome) {
            counts.merge(List.of(tenant, outcome), 1, Integer::sum);
        }

        void publish(MeterRegistry meters) {
            counts.forEach((key, n) -> meters.counter("freshet.enricher.events", "tenant", key.get(0),
                    "outcome", key.get(1)).increment(n));
        }
    }
}

package io.freshet.enricher.stream;

import io.freshet.enricher.deadletter.DeadLetters;
import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.processing.Enrichment;
import io.freshet.enricher.processing.EventEnricher;
import io.freshet.enricher.processing.RejectedEventException;
import io.freshet.enricher.processing.UnknownTenantException;
import io.freshet.enricher.quality.TenantCircuitBreaker;
import io.freshet.enricher.rules.RuleViolationException;
import io.freshet.enricher.schema.AvroRecords;
import io.freshet.enricher.schema.SchemaGovernance;
import io.freshet.enricher.session.UserSessions;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.eventmodel.kafka.ConsumerLoop;
import io.freshet.eventmodel.kafka.TransactionalProducer;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.eventmodel.trace.EventTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Exactly-once consume-transform-produce from freshet.events.raw: each polled batch is enriched and
 * written (enriched, late or dead-letter records, the changelogs of the derived sessions and of the event ids
 * passed on, circuit breaker alerts)
 * together with the batch's consumer offsets in one Kafka transaction. A crash anywhere leaves either the
 * whole batch committed or none of it, and the batch is then read again from the committed offsets.
 */
@ApplicationScoped
public class TransactionalEnricher extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(TransactionalEnricher.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Within a transaction's timeout (60 s): the batch is retried after it. */
    private static final Duration TENANT_WAIT = Duration.ofSeconds(10);

    private final EnricherClients clients;
    private final EventEnricher enricher;
    private final DeadLetters deadLetters;
    private final TenantRegistry tenants;
    private final SchemaGovernance schemas;
    private final UserSessions sessions;
    private final SeenEventIds seenIds;
    private final TenantCircuitBreaker breaker;
    private final MeterRegistry meters;
    private final EventTracing tracing;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Timer transactionTimer;
    private final Timer freshness;
    private TransactionalProducer producer;
    private AvroRecords<EnrichedEvent> enrichedAvro;
    private AvroRecords<Alert> alertAvro;

    public TransactionalEnricher(EnricherClients clients, EventEnricher enricher, DeadLetters deadLetters,
                                 TenantRegistry tenants, SchemaGovernance schemas, UserSessions sessions,
                                 SeenEventIds seenIds, TenantCircuitBreaker breaker, MeterRegistry meters, EventTracing tracing,
                                 @ConfigProperty(name = "freshet.enricher.max-attempts") int maxAttempts,
                                 @ConfigProperty(name = "freshet.enricher.retry-backoff") Duration retryBackoff) {
        this.clients = clients;
        this.enricher = enricher;
        this.deadLetters = deadLetters;
        this.tenants = tenants;
        this.schemas = schemas;
        this.sessions = sessions;
        this.seenIds = seenIds;
        this.breaker = breaker;
        this.meters = meters;
        this.tracing = tracing;
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.transactionTimer = Timer.builder("freshet.enricher.transaction")
                .description("One batch: enrich, write and commit it with its offsets")
                .publishPercentileHistogram().register(meters);
        this.freshness = Timer.builder("freshet.enricher.freshness")
                .description("From the gateway's acceptance of an event to the commit of its enriched record")
                .publishPercentileHistogram().register(meters);
    }

    /** After the topics exist and the tenant registry started (priorities 1 and 2). */
    void onStart(@Observes @Priority(4) StartupEvent event) {
        start("enricher");
    }

    @Override
    protected void consume() throws InterruptedException {
        try (var consumer = wakeable(clients.consumer());
             var consumerMetrics = new KafkaClientMetrics(consumer)) {
            consumerMetrics.bindTo(meters); // includes records-lag per partition
            enrichedAvro = clients.avro(meters);
            alertAvro = clients.avro(meters);
            awaitTenants();
            governSchemas();
            consumer.subscribe(List.of(Topics.RAW), new SessionOwnership());
            Duration backoff = retryBackoff;
            while (running()) {
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
        }
    }

    @Override
    protected void release() {
        closeProducer();
    }

    @Override
    public String name() {
        return "enrichment loop";
    }

    /** Events of a tenant created a moment ago must not be dead-lettered because the registry lags. */
    private void awaitTenants() throws InterruptedException {
        while (running() && !tenants.isCaughtUp()) {
            Thread.sleep(50);
        }
    }

    /** Before the first record: nothing is written under a schema without its compatibility rule. */
    private void governSchemas() throws InterruptedException {
        while (running()) {
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
        Instant now = Instant.now();
        var tally = new BatchTally();
        var sessionChanges = sessions.batch();
        var seen = seenIds.batch();
        var spans = new ArrayList<Span>(records.count());
        List<ProducerRecord<String, byte[]>> changelog;
        List<Future<RecordMetadata>> seenWritten;
        List<TenantCircuitBreaker.Opening> openings;
        try {
            // opening the producer fences a predecessor's open transaction, so the changelogs read next are final
            KafkaProducer<String, byte[]> producer = producer().kafka();
            restoreState(records.partitions());
            producer.beginTransaction();
            for (ConsumerRecord<String, String> record : records) {
                Span span = tracing.process(record); // ended by the commit; it goes on in the output's headers
                spans.add(span);
                ProducerRecord<String, byte[]> output = output(record, sessionChanges, seen, tally, now, span);
                if (output != null) {
                    tracing.inject(span, output.headers());
                    producer.send(output);
                }
            }
            changelog = sessionChanges.changelog();
            changelog.forEach(producer::send);
            seenWritten = seen.changelog().stream().map(producer::send).toList();
            openings = alert(producer, breaker.openings(tally.breakerCounts(), now));
            producer.sendOffsetsToTransaction(records.nextOffsets(), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (RuntimeException e) {
            LOG.warnf("A batch of %d raw records was not committed and will be read again: %s", records.count(), e.toString());
            spans.forEach(span -> EventTracing.fail(span, e));
            closeProducer(); // the next producer with this id fences the open transaction, which aborts it
            rewind(consumer, records);
            return false;
        }
        spans.forEach(Span::end);
        sessionChanges.commit(changelog);
        seen.commit(seenWritten.stream().map(TransactionalEnricher::written).toList());
        breaker.commit(tally.breakerCounts(), openings, now);
        transactionTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        tally.publish(meters, freshness, System.currentTimeMillis());
        return true;
    }

    /**
     * The record's output: enriched or late, or a dead letter when the event itself cannot be enriched, or none
     * when its tenant's rules skip it.
     */
    private ProducerRecord<String, byte[]> output(ConsumerRecord<String, String> record, UserSessions.Batch sessionChanges,
                                                  SeenEventIds.Batch seen, BatchTally tally, Instant now, Span span) {
        for (int attempt = 1; ; attempt++) {
            Enrichment enrichment;
            try {
                enrichment = enricher.enrich(record, sessionChanges, seen, now);
            } catch (RejectedEventException e) {
                if (e instanceof RuleViolationException violation) {
                    tally.quality(violation.tenantId(), violation.quality());
                }
                return deadLetter(record, e.tenantId() != null ? e.tenantId() : enricher.tenantOf(record.value()), e.reason(), e,
                        attempt, tally, span);
            } catch (UnknownTenantException e) {
                OptionalLong knownAt = tenantOffset(record);
                if (knownAt.isPresent()) {
                    // the gateway knew the tenant: wait until this registry has applied as much, then it is known or deleted
                    if (!awaitTenant(knownAt.getAsLong())) {
                        return deadLetter(record, e.tenantId(), DeadLetterReason.UNKNOWN_TENANT, new UnknownTenantException(
                                e.tenantId(), "Unknown tenant '" + e.tenantId() + "': the record names offset " + knownAt.getAsLong()
                                        + " of " + Topics.TENANTS + ", past its end"), attempt, tally, span);
                    }
                    if (tenants.find(e.tenantId()).isEmpty()) {
                        return deadLetter(record, e.tenantId(), DeadLetterReason.TENANT_DELETED,
                                new UnknownTenantException(e.tenantId(), "Tenant '" + e.tenantId()
                                        + "' was deleted after the gateway accepted the event"),
                                attempt, tally, span);
                    }
                    continue;
                }
                // an older producer's record: the registry may be behind, so wait a little (once per tenant and batch)
                if (attempt >= maxAttempts || (attempt == 1 && !tally.firstWaitFor(e.tenantId()))) {
                    return deadLetter(record, e.tenantId(), DeadLetterReason.UNKNOWN_TENANT, e, attempt, tally, span);
                }
                pauseUninterruptibly(retryBackoff.multipliedBy(1L << (attempt - 1)));
                continue;
            } catch (RuntimeException e) { // an unexpected shape or failure
                if (attempt >= maxAttempts) {
                    return deadLetter(record, enricher.tenantOf(record.value()), DeadLetterReason.PROCESSING_FAILED, e,
                            attempt, tally, span);
                }
                pauseUninterruptibly(retryBackoff.multipliedBy(1L << (attempt - 1)));
                continue;
            }
            tally.outcome(enrichment.tenantId(), enrichment.outcome().label());
            tally.quality(enrichment.tenantId(), enrichment.quality());
            EnrichedEvent event = enrichment.event();
            span.setAttribute(EventTracing.OUTCOME, enrichment.outcome().label());
            EventTracing.describe(span, enrichment.tenantId(), event == null ? null : event.getType(),
                    event == null ? null : event.getEventId());
            if (event == null) {
                return null;
            }
            // a serializer failure (registry away, schema not cached) is not the event's fault: the batch retries
            var headers = new RecordHeaders();
            byte[] value = enrichedAvro.serialize(enrichment.outcome().topic(), headers, event);
            tally.written(event.getReceivedAt().toEpochMilli());
            return new ProducerRecord<>(enrichment.outcome().topic(), null, record.key(), value, headers);
        }
    }

    /**
     * Sends each opening's alert; returns the openings alerted. One whose alert cannot be written now (its schema
     * not cached, the registry away) does not open yet: the next batch tries again, and enrichment goes on.
     */
    private List<TenantCircuitBreaker.Opening> alert(KafkaProducer<String, byte[]> producer,
                                                     List<TenantCircuitBreaker.Opening> openings) {
        List<TenantCircuitBreaker.Opening> alerted = new ArrayList<>(openings.size());
        for (TenantCircuitBreaker.Opening opening : openings) {
            var headers = new RecordHeaders();
            byte[] alert;
            try {
                alert = alertAvro.serialize(Topics.ALERTS, headers, opening.alert());
            } catch (RuntimeException e) {
                LOG.warnf("Cannot write the alert to pause tenant %s yet (%s); it is not paused for now", opening.tenantId(), e.toString());
                continue;
            }
            producer.send(new ProducerRecord<>(Topics.ALERTS, null, opening.tenantId(), alert, headers));
            alerted.add(opening);
        }
        return alerted;
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, String> record, String tenant,
                                                      DeadLetterReason reason, Exception failure, int attempts,
                                                      BatchTally tally, Span span) {
        tally.outcome(tenant == null ? "unknown" : tenant, "dead_lettered");
        EventTracing.describe(span, tenant, null, null);
        span.setAttribute(EventTracing.OUTCOME, "dead_lettered");
        span.setStatus(StatusCode.ERROR, failure.getMessage());
        return deadLetters.of(record, tenant, reason, failure, attempts);
    }

    /**
     * Brings the state of the batch's partitions that this instance has not caught up with since it was assigned them
     * up to date: the derived sessions from their changelog's start, the seen event ids from where the local store is.
     */
    private void restoreState(Collection<TopicPartition> partitions) {
        List<Integer> sessionsMissing = partitions.stream().map(TopicPartition::partition).filter(p -> !sessions.knows(p)).toList();
        List<Integer> idsMissing = partitions.stream().map(TopicPartition::partition).filter(p -> !seenIds.knows(p)).toList();
        if (sessionsMissing.isEmpty() && idsMissing.isEmpty()) {
            return;
        }
        try (var reader = clients.changelogReader()) {
            sessionsMissing.forEach(partition -> sessions.restore(partition, List.of()));
            readChangelog(reader, Topics.ENRICHER_SESSIONS, sessionsMissing, partition -> OptionalLong.empty(), sessions::restore);
            Map<Integer, Long> ends = readChangelog(reader, Topics.ENRICHER_EVENT_IDS, idsMissing, seenIds::restoredUpTo,
                    (partition, changes) -> seenIds.restore(partition, changes, changes.getLast().offset() + 1));
            ends.forEach((partition, end) -> {
                seenIds.restore(partition, List.of(), end);
                seenIds.caughtUp(partition);
            });
        }
    }

    /**
     * Reads the changelog's partitions, each from its {@code from} (its start when empty) to its end as of now
     * (read_committed), handing each polled chunk to {@code apply}; returns the ends.
     */
    private static Map<Integer, Long> readChangelog(KafkaConsumer<String, String> reader, String topic, List<Integer> partitions,
                                                    IntFunction<OptionalLong> from,
                                                    BiConsumer<Integer, List<ConsumerRecord<String, String>>> apply) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        long start = System.nanoTime();
        List<TopicPartition> changelog = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        long read = 0;
        Map<Integer, Long> ends = new HashMap<>();
        reader.assign(changelog);
        Map<TopicPartition, Long> beginnings = reader.beginningOffsets(changelog);
        reader.endOffsets(changelog).forEach((partition, end) -> ends.put(partition.partition(), end));
        for (TopicPartition partition : changelog) {
            long position = from.apply(partition.partition()).orElse(0);
            // past the end, the topic was made anew: all of it is news to the local store
            reader.seek(partition, position > ends.get(partition.partition()) ? beginnings.get(partition)
                    : Math.max(beginnings.get(partition), position));
        }
        while (changelog.stream().anyMatch(partition -> reader.position(partition) < ends.get(partition.partition()))) {
            ConsumerRecords<String, String> changes = reader.poll(Duration.ofMillis(200));
            for (TopicPartition partition : changes.partitions()) {
                apply.accept(partition.partition(), changes.records(partition));
            }
            read += changes.count();
        }
        LOG.infof("Read %d records of %s for raw partitions %s in %d ms", read, topic, partitions,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return ends;
    }

    /** A partition's sessions belong to its owner: state of partitions that moved away is dropped, and restored on return. */
    private final class SessionOwnership implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<Integer> moved = partitions.stream().map(TopicPartition::partition).toList();
            sessions.forget(moved);
            seenIds.forget(moved);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // restored lazily, after this instance's producer has fenced any transaction left open
        }
    }

    /** Where the gateway knew the record's tenant ({@link TenantRegistry#OFFSET_HEADER}); empty for older records. */
    private static OptionalLong tenantOffset(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(TenantRegistry.OFFSET_HEADER);
        try {
            return header == null ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(new String(header.value(), StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Waits for the tenant registry to reach the offset; false when the registry read the whole topic and the offset is
     * not in it. When it cannot tell within the bound, the batch fails and is read again: an event the gateway accepted
     * is never dead-lettered because this instance's view lags.
     */
    private boolean awaitTenant(long offset) {
        try {
            if (tenants.awaitApplied(offset, TENANT_WAIT)) {
                return true;
            }
            if (tenants.hasReadToTheEnd()) {
                return false;
            }
            throw new IllegalStateException("The tenant registry has not reached offset " + offset + " of "
                    + Topics.TENANTS + " within " + TENANT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the tenant registry", e);
        }
    }

    /** Complete once the transaction committed. */
    private static RecordMetadata written(Future<RecordMetadata> send) {
        try {
            return send.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("A committed send has no result", e);
        }
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
}

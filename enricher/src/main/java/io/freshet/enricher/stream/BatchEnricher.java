package io.freshet.enricher.stream;

import io.freshet.eventmodel.config.SharedConfig;
import io.freshet.enricher.config.EnricherConfig;
import io.freshet.enricher.deadletter.DeadLetters;
import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.processing.Enrichment;
import io.freshet.enricher.processing.EventEnricher;
import io.freshet.enricher.processing.RejectedEventException;
import io.freshet.enricher.processing.UnknownTenantException;
import io.freshet.enricher.quality.TenantCircuitBreaker;
import io.freshet.enricher.rules.RuleViolationException;
import io.freshet.enricher.schema.AvroRecords;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.eventmodel.trace.EventTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns one batch of raw records into what its transaction writes: enriched, late or dead-letter records, the
 * changelogs of the derived sessions and of the event ids passed on, and circuit breaker alerts. Nothing of it takes
 * effect in this instance's state before {@link EnrichedBatch#committed} says the transaction committed.
 */
@ApplicationScoped
public class BatchEnricher {

    private static final Logger LOG = Logger.getLogger(BatchEnricher.class);
    /** Within a transaction's timeout: the batch is read again after it. */
    private static final Duration TENANT_WAIT = Duration.ofSeconds(10);

    private final EventEnricher enricher;
    private final DeadLetters deadLetters;
    private final TenantRegistry tenants;
    private final EnricherState state;
    private final TenantCircuitBreaker breaker;
    private final EventTracing tracing;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final AvroRecords<EnrichedEvent> enrichedAvro;
    private final AvroRecords<Alert> alertAvro;

    public BatchEnricher(EventEnricher enricher, DeadLetters deadLetters, TenantRegistry tenants, EnricherState state,
                         TenantCircuitBreaker breaker, EventTracing tracing, MeterRegistry meters,
                         SharedConfig shared, EnricherConfig config) {
        int maxAttempts = config.maxAttempts();
        Duration retryBackoff = config.retryBackoff();
        this.enricher = enricher;
        this.deadLetters = deadLetters;
        this.tenants = tenants;
        this.state = state;
        this.breaker = breaker;
        this.tracing = tracing;
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.enrichedAvro = AvroRecords.create(shared.registry().url(), meters);
        this.alertAvro = AvroRecords.create(shared.registry().url(), meters);
    }

    /** @throws RuntimeException when the batch cannot be enriched now (e.g. the registry away): it is read again */
    public EnrichedBatch enrich(List<ConsumerRecord<String, String>> records) {
        Instant now = Instant.now();
        var batch = new EnrichedBatch(state.sessions().batch(), state.seenIds().batch(), breaker, records.size(), now);
        try {
            for (ConsumerRecord<String, String> record : records) {
                Span span = tracing.process(record); // ended by the commit; it goes on in the output's headers
                batch.spans.add(span);
                ProducerRecord<String, byte[]> output = output(record, batch, now, span);
                if (output != null) {
                    tracing.inject(span, output.headers());
                    batch.outputs.add(output);
                }
            }
            batch.closeWith(alerts(breaker.openings(batch.tally.breakerCounts(), now)));
            return batch;
        } catch (RuntimeException e) {
            batch.failed(e);
            throw e;
        }
    }

    /**
     * The record's output: enriched or late, or a dead letter when the event itself cannot be enriched, or none
     * when its tenant's rules skip it or it is a copy of an event passed on.
     */
    private ProducerRecord<String, byte[]> output(ConsumerRecord<String, String> record, EnrichedBatch batch, Instant now,
                                                  Span span) {
        BatchTally tally = batch.tally;
        for (int attempt = 1; ; attempt++) {
            Enrichment enrichment;
            try {
                enrichment = enricher.enrich(record, batch.sessionChanges, batch.seen, now);
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
     * Each opening's alert. One whose alert cannot be written now (its schema not cached, the registry away) does not
     * open yet: the next batch tries again, and enrichment goes on.
     */
    private List<EnrichedBatch.Alerted> alerts(List<TenantCircuitBreaker.Opening> openings) {
        List<EnrichedBatch.Alerted> alerted = new ArrayList<>(openings.size());
        for (TenantCircuitBreaker.Opening opening : openings) {
            var headers = new RecordHeaders();
            try {
                byte[] alert = alertAvro.serialize(Topics.ALERTS, headers, opening.alert());
                alerted.add(new EnrichedBatch.Alerted(opening,
                        new ProducerRecord<>(Topics.ALERTS, null, opening.tenantId(), alert, headers)));
            } catch (RuntimeException e) {
                LOG.warnf("Cannot write the alert to pause tenant %s yet (%s); it is not paused for now", opening.tenantId(), e.toString());
            }
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

    private static void pauseUninterruptibly(Duration backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

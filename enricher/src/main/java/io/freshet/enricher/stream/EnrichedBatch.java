package io.freshet.enricher.stream;

import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.quality.TenantCircuitBreaker;
import io.freshet.enricher.session.UserSessions;
import io.freshet.eventmodel.trace.EventTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one raw batch's transaction writes, and the changes to this instance's state (sessions, seen event ids, the
 * circuit breaker, metrics) that take effect only once it committed.
 */
public final class EnrichedBatch {

    final List<ProducerRecord<String, byte[]>> outputs;
    final List<Span> spans;
    final BatchTally tally = new BatchTally();
    final UserSessions.Batch sessionChanges;
    final SeenEventIds.Batch seen;
    private final TenantCircuitBreaker breaker;
    private final Instant now;
    private List<ProducerRecord<String, byte[]>> sessionLog = List.of();
    private List<ProducerRecord<String, byte[]>> idLog = List.of();
    private List<Alerted> alerted = List.of();

    /** A circuit breaker opening and the alert that announces it. */
    record Alerted(TenantCircuitBreaker.Opening opening, ProducerRecord<String, byte[]> alert) {
    }

    EnrichedBatch(UserSessions.Batch sessionChanges, SeenEventIds.Batch seen, TenantCircuitBreaker breaker, int size, Instant now) {
        this.sessionChanges = sessionChanges;
        this.seen = seen;
        this.breaker = breaker;
        this.now = now;
        this.outputs = new ArrayList<>(size);
        this.spans = new ArrayList<>(size);
    }

    void closeWith(List<Alerted> alerts) {
        this.sessionLog = sessionChanges.changelog();
        this.idLog = seen.changelog();
        this.alerted = alerts;
    }

    /** Everything the transaction writes but the event ids' changelog: enriched, late and dead-letter records, sessions, alerts. */
    public List<ProducerRecord<String, byte[]>> records() {
        List<ProducerRecord<String, byte[]>> all = new ArrayList<>(outputs.size() + sessionLog.size() + alerted.size());
        all.addAll(outputs);
        all.addAll(sessionLog);
        alerted.forEach(a -> all.add(a.alert()));
        return all;
    }

    /** The event ids' changelog records: where they land is the local store's checkpoint. */
    public List<ProducerRecord<String, byte[]>> idChangelog() {
        return idLog;
    }

    /** The transaction committed: its changes become this instance's state, and its metrics count. */
    public void committed(List<RecordMetadata> idsWritten, MeterRegistry meters, Timer freshness) {
        spans.forEach(Span::end);
        sessionChanges.commit(sessionLog);
        seen.commit(idsWritten);
        breaker.commit(tally.breakerCounts(), alerted.stream().map(Alerted::opening).toList(), now);
        tally.publish(meters, freshness, System.currentTimeMillis());
    }

    /** Nothing of the batch is visible: the raw records are read again. */
    public void failed(Throwable failure) {
        spans.forEach(span -> EventTracing.fail(span, failure));
    }

    public int size() {
        return spans.size();
    }
}

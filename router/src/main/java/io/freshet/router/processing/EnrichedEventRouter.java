package io.freshet.router.processing;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Channels;
import io.freshet.router.sink.ClickHouseBatchSink;
import io.freshet.router.sink.EventRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Stores each polled batch of enriched events in ClickHouse and only then acknowledges it, so the
 * consumer offsets never run ahead of what ClickHouse holds. A failed insert is retried with the
 * same rows and token until it succeeds; meanwhile the partitions' lag grows instead of data being dropped.
 */
@ApplicationScoped
public class EnrichedEventRouter {

    private static final Logger LOG = Logger.getLogger(EnrichedEventRouter.class);

    private final ClickHouseBatchSink sink;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Timer freshness;

    public EnrichedEventRouter(ClickHouseBatchSink sink, MeterRegistry meters,
                               @ConfigProperty(name = "freshet.sink.retry.initial-backoff") Duration initialBackoff,
                               @ConfigProperty(name = "freshet.sink.retry.max-backoff") Duration maxBackoff) {
        this.sink = sink;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.freshness = Timer.builder("freshet.pipeline.freshness")
                .description("From the gateway accepting an event to ClickHouse storing it")
                .publishPercentileHistogram().register(meters);
    }

    @Incoming(Channels.ENRICHED)
    public Uni<Void> route(KafkaRecordBatch<String, EnrichedEvent> batch) {
        List<ConsumerRecord<String, EnrichedEvent>> records = new ArrayList<>(batch.getRecords().size());
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordBatchMetadata<String, EnrichedEvent> metadata =
                batch.getMetadata(IncomingKafkaRecordBatchMetadata.class).orElseThrow();
        metadata.getRecords().forEach(records::add);
        if (records.isEmpty()) {
            return Uni.createFrom().completionStage(batch.ack());
        }
        List<EventRow> rows = records.stream().map(EventRow::new).toList();
        String token = deduplicationToken(records);
        return Uni.createFrom().completionStage(() -> sink.insert(rows, token))
                .onFailure().invoke(e -> LOG.warnf("ClickHouse insert of %d rows failed, retrying: %s", rows.size(), e.getMessage()))
                .onFailure().retry().withBackOff(initialBackoff, maxBackoff).indefinitely()
                .invoke(() -> recordFreshness(records))
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** The batch's offset ranges per partition: identical for an identical retry of the same batch. */
    static String deduplicationToken(List<ConsumerRecord<String, EnrichedEvent>> records) {
        Map<String, long[]> ranges = new TreeMap<>();
        for (var record : records) {
            ranges.merge(record.topic() + "-" + record.partition(), new long[]{record.offset(), record.offset()},
                    (a, b) -> new long[]{Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        return ranges.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()[0] + "-" + e.getValue()[1])
                .collect(Collectors.joining(","));
    }

    private void recordFreshness(List<ConsumerRecord<String, EnrichedEvent>> records) {
        Instant now = Instant.now();
        records.forEach(r -> freshness.record(Duration.between(r.value().getReceivedAt(), now)));
    }
}

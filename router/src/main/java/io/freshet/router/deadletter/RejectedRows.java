package io.freshet.router.deadletter;

import io.freshet.eventmodel.kafka.KafkaConnection;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.router.sink.RejectedRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes the records whose rows ClickHouse refused to freshet.events.dlq, with ClickHouse's reason, before the
 * router moves its offsets past them: none is lost. A crash between the two may write one twice; a replay from the
 * DLQ is keyed by event id, so that costs nothing downstream.
 */
@ApplicationScoped
public class RejectedRows {

    private static final Logger LOG = Logger.getLogger(RejectedRows.class);
    static final String STAGE = "router";

    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaClientMetrics producerMetrics;

    public RejectedRows(ObjectMapper json, MeterRegistry meters, KafkaConnection kafka) {
        this.json = json;
        this.meters = meters;
        this.producer = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "router-dead-letters",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)), new StringSerializer(), new ByteArraySerializer());
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(meters);
    }

    /** Returns once Kafka holds every one; throws if it does not, so the batch is tried again. */
    public void send(List<RejectedRow> rejected) throws ExecutionException, InterruptedException {
        List<Future<?>> acks = new ArrayList<>();
        for (RejectedRow row : rejected) {
            acks.add(producer.send(letter(row)));
        }
        for (Future<?> ack : acks) {
            ack.get();
        }
        for (RejectedRow row : rejected) {
            LOG.warnf("ClickHouse refused the row of %s-%d@%d; it is in %s: %s", row.record().topic(),
                    row.record().partition(), row.record().offset(), Topics.DLQ, row.reason());
            meters.counter("freshet.sink.dead.letters", "topic", row.record().topic()).increment();
        }
    }

    private ProducerRecord<String, byte[]> letter(RejectedRow row) {
        var source = row.record();
        SpecificRecord value = source.value();
        String tenantId = value.getSchema().getField("tenant_id") != null
                ? String.valueOf(value.get(value.getSchema().getField("tenant_id").pos())) : null;
        return new DeadLetter(value.toString(), tenantId, STAGE, DeadLetterReason.ROW_REFUSED.code(), "ClickHouseRejectedRow", row.reason(), 1,
                source.topic(), source.partition(), source.offset(), Instant.now()).toRecord(source.key(), json);
    }

    @PreDestroy
    void close() {
        producerMetrics.close();
        producer.close();
    }
}

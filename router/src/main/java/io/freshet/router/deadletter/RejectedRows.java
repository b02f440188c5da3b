package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.router.sink.RejectedRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Writes the records whose rows ClickHouse refused to freshet.events.dlq, with ClickHouse's reason, before the
 * router moves its offsets past them: none is lost. A crash between the two may write one twice; a replay from the
 * DLQ is keyed by event id, so that costs nothing downstream.
 */
@ApplicationScoped
public class RejectedRows {

    private static final Logger LOG = Logger.getLogger(RejectedRows.class);
    static final String STAGE = "router";

    /** freshet.events.dlq (application.properties); each letter names its topic. */
    static final String CHANNEL = "rejected-rows";

    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final MutinyEmitter<ProducerRecord<String, byte[]>> letters;

    public RejectedRows(ObjectMapper json, MeterRegistry meters,
                        // a batch's letters are awaited together: the caller bounds what is buffered
                        @Channel(CHANNEL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                        MutinyEmitter<ProducerRecord<String, byte[]>> letters) {
        this.json = json;
        this.meters = meters;
        this.letters = letters;
    }

    /** Returns once Kafka holds every one; throws if it does not, so the batch is tried again. */
    public void send(List<RejectedRow> rejected) {
        if (rejected.isEmpty()) {
            return;
        }
        Uni.join().all(rejected.stream().map(row -> letters.send(letter(row))).toList()).andFailFast()
                .await().indefinitely();
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

}

package io.freshet.enricher.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.deadletter.DeadLetterReason;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;

/** The DLQ record for a raw record the enricher gave up on: the payload unchanged, with why, where and how often. */
@ApplicationScoped
public class DeadLetters {

    static final String STAGE = "enricher";

    private final ObjectMapper json;

    public DeadLetters(ObjectMapper json) {
        this.json = json;
    }

    public ProducerRecord<String, byte[]> of(ConsumerRecord<String, String> source, String tenantId,
                                             DeadLetterReason reason, Throwable failure, int attempts) {
        return new DeadLetter(source.value(), tenantId, STAGE, reason.code(), failure.getClass().getName(), failure.getMessage(),
                attempts, source.topic(), source.partition(), source.offset(), Instant.now()).toRecord(source.key(), json);
    }
}

package io.freshet.enricher.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
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
                                             Throwable failure, int attempts) {
        var letter = new DeadLetter(source.value(), tenantId, STAGE, failure.getClass().getName(),
                failure.getMessage(), attempts, source.topic(), source.partition(), source.offset(), Instant.now());
        var record = new ProducerRecord<>(Topics.DLQ, source.key(), serialize(letter));
        // the reason also in a header, so `kafka-console-consumer --property print.headers=true` shows it
        record.headers().add("dead-letter-reason", String.valueOf(failure.getMessage()).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private byte[] serialize(DeadLetter letter) {
        try {
            return json.writeValueAsBytes(letter);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A dead letter always serializes", e);
        }
    }
}

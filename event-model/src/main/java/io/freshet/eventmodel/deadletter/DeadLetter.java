package io.freshet.eventmodel.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.freshet.eventmodel.topic.Topics;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A record on freshet.events.dlq (JSON): what could not be processed, unchanged, and everything needed to
 * understand and replay it. Keyed like its source record.
 *
 * @param payload   the source record's value, as it was
 * @param tenantId  the tenant, when the record was readable enough to tell
 * @param stage     the pipeline stage that gave up (enricher, router)
 * @param reason    why, as a stable code ({@link DeadLetterReason}): what `./freshet dlq` filters and counts by
 * @param attempts  how many times the stage tried before giving up
 */
@RegisterForReflection // Jackson serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(String payload, String tenantId, String stage, String reason, String errorClass, String errorMessage,
                         int attempts, String sourceTopic, int sourcePartition, long sourceOffset, Instant failedAt) {

    /** The record for freshet.events.dlq, keyed like its source, with the reason also in a header. */
    public ProducerRecord<String, byte[]> toRecord(String key, ObjectMapper json) {
        byte[] value;
        try {
            value = json.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A dead letter always serializes", e);
        }
        var record = new ProducerRecord<>(Topics.DLQ, key, value);
        // so `kafka-console-consumer --property print.headers=true` shows it
        record.headers().add("dead-letter-reason", String.valueOf(errorMessage).getBytes(StandardCharsets.UTF_8));
        return record;
    }
}

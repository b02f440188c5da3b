package io.freshet.eventmodel.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * A record on freshet.events.dlq (JSON): what could not be processed, unchanged, and everything needed to
 * understand and replay it. Keyed like its source record.
 *
 * @param payload   the source record's value, as it was
 * @param tenantId  the tenant, when the record was readable enough to tell
 * @param stage     the pipeline stage that gave up (enricher, router)
 * @param attempts  how many times the stage tried before giving up
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(String payload, String tenantId, String stage, String errorClass, String errorMessage,
                         int attempts, String sourceTopic, int sourcePartition, long sourceOffset, Instant failedAt) {
}

package io.freshet.eventmodel.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * An accepted event as the gateway writes it to freshet.events.raw (JSON): the client's event,
 * validated and normalized, with the server-side fields set. The tenant comes from the API key.
 *
 * @param timestamp the client's time, or null when it sent none
 * @param userAgent the sending HTTP client's User-Agent (the browser, for events sent from one); the enricher
 *                  prefers a {@code user_agent} property, for events relayed by a server
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RawEvent(String tenantId, String eventId, String type, Instant timestamp, Instant receivedAt,
                       String userId, String sessionId, JsonNode properties, String userAgent) {

    /** Kafka record key: one user's events land in one partition and so stay in order. */
    public String partitionKey() {
        return tenantId + "/" + (userId != null ? userId : eventId);
    }

    /** When it happened: the client's time, else when the gateway received it; freshet.events' event_time. */
    public Instant eventTime() {
        return timestamp != null ? timestamp : receivedAt;
    }
}

package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.topic.Topics;

import java.time.Instant;

/** Dead letters for the unit tests, as the enricher and the router write them. */
public final class Letters {

    /** Configured as Quarkus configures its mapper for the services. */
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Letters() {
    }

    public static String rawPayload(String tenant, String eventId, String user) {
        return """
                {"tenant_id":"%s","event_id":"%s","type":"order.created","received_at":"2026-03-01T10:00:00.123456Z",\
                "user_id":"%s","properties":{"total":1}}""".formatted(tenant, eventId, user);
    }

    public static FoundLetter enricher(String tenant, String reason, String payload, Instant failedAt, long dlqOffset) {
        return FoundLetter.of(new DeadLetter(payload, tenant, "enricher", reason, "io.freshet.enricher.rules.RuleViolationException",
                "'order.created' requires properties [order_id], missing", 1, Topics.RAW, 2, 40, failedAt), 1, dlqOffset);
    }

    public static FoundLetter router(String tenant, String payload, Instant failedAt, long dlqOffset) {
        return FoundLetter.of(new DeadLetter(payload, tenant, "router", "row_refused", "ClickHouseRejectedRow",
                "Code: 70. Value out of range", 1, Topics.ENRICHED, 0, 7, failedAt), 0, dlqOffset);
    }
}

package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.http.ApiException;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.ingest.limit.TenantRateLimiter;
import io.freshet.eventmodel.event.EventError;
import io.freshet.eventmodel.event.EventValidator;
import io.freshet.ingest.sink.KafkaUnavailableException;
import io.freshet.ingest.sink.RawEventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;

import java.util.stream.Collectors;

/**
 * What every ingest endpoint does with a request's validated events: counts the rejected ones, refuses the request
 * when none is valid or the tenant is over its rate, and answers only once Kafka committed the accepted ones.
 */
@ApplicationScoped
public class EventIntake {

    private static final Logger LOG = Logger.getLogger(EventIntake.class);
    private static final int RETRY_AFTER_SECONDS = 1;

    private final TenantRateLimiter rateLimiter;
    private final RawEventPublisher publisher;
    private final MeterRegistry meters;

    public EventIntake(TenantRateLimiter rateLimiter, RawEventPublisher publisher, MeterRegistry meters) {
        this.rateLimiter = rateLimiter;
        this.publisher = publisher;
        this.meters = meters;
    }

    public IngestResponse take(Tenant tenant, EventValidator.Result result) {
        // one counter update per error code, not per rejected event (a request may carry 10,000)
        result.errors().stream().collect(Collectors.groupingBy(EventError::code, Collectors.counting()))
                .forEach((code, events) -> count(tenant, "rejected", code, events));
        if (result.accepted().isEmpty()) {
            throw new ApiException(Status.BAD_REQUEST, "no_valid_events",
                    "No event of the request is valid; first problem at index " + result.errors().getFirst().index()
                            + ": " + result.errors().getFirst().message());
        }
        if (!rateLimiter.tryAcquire(tenant, result.accepted().size())) {
            count(tenant, "rate_limited", "", result.accepted().size());
            throw new ApiException(Status.TOO_MANY_REQUESTS, "rate_limited", "Tenant '" + tenant.id()
                    + "' is over its rate of events per second; retry after the Retry-After delay", RETRY_AFTER_SECONDS);
        }
        try {
            publisher.publish(result.accepted());
        } catch (KafkaUnavailableException e) {
            LOG.warnf("Answering 503 to tenant %s: %s", tenant.id(), e.getMessage());
            count(tenant, "unavailable", e.outcomeUnknown() ? "outcome_unknown" : "", result.accepted().size());
            throw new ApiException(Status.SERVICE_UNAVAILABLE, "kafka_unavailable", e.outcomeUnknown()
                    ? "The event log did not confirm the write in time, so it may or may not have stored the events; "
                    + "retry with the same event_ids"
                    : "The event log cannot take writes right now and stored none of the events; retry with the same event_ids",
                    RETRY_AFTER_SECONDS);
        }
        count(tenant, "accepted", "", result.accepted().size());
        return new IngestResponse(result.accepted().size(), result.errors().size(),
                result.accepted().stream().map(RawEvent::eventId).toList(), result.errors());
    }

    /** Events by tenant and outcome (accepted, rejected with the error code as reason, rate_limited, unavailable). */
    private void count(Tenant tenant, String outcome, String reason, long events) {
        meters.counter("freshet.ingest.events", "tenant", tenant.id(), "outcome", outcome, "reason", reason).increment(events);
    }
}

package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.ingest.limit.InFlightBodies;
import io.freshet.ingest.limit.TenantRateLimiter;
import io.freshet.ingest.processing.EventError;
import io.freshet.ingest.processing.EventValidator;
import io.freshet.ingest.processing.RequestBodyParser;
import io.freshet.ingest.sink.KafkaUnavailableException;
import io.freshet.ingest.sink.RawEventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.stream.Collectors;

/** {@code POST /v1/events}: the pipeline's front door (see the ingest contract in ARCHITECTURE.md). */
@Path("/v1/events")
@Tag(name = "Ingest")
@SecurityScheme(securitySchemeName = "tenantKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The tenant's API key; the tenant of every event comes from it")
@SecurityRequirement(name = "tenantKey")
public class EventsResource {

    private static final Logger LOG = Logger.getLogger(EventsResource.class);
    private static final int RETRY_AFTER_SECONDS = 1;

    private final RequestBodyParser parser;
    private final EventValidator validator;
    private final TenantRateLimiter rateLimiter;
    private final RawEventPublisher publisher;
    private final MeterRegistry meters;

    public EventsResource(RequestBodyParser parser, EventValidator validator,
                          TenantRateLimiter rateLimiter, RawEventPublisher publisher, MeterRegistry meters) {
        this.parser = parser;
        this.validator = validator;
        this.rateLimiter = rateLimiter;
        this.publisher = publisher;
        this.meters = meters;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send events", description = "One JSON event, a JSON array of events, or NDJSON "
            + "(Content-Type: application/x-ndjson). Answered 202 only after Kafka acknowledged every accepted event; "
            + "invalid events are rejected one by one and reported by index.")
    @RequestBody(content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, example = """
                    [{"type":"order.created","user_id":"u1","properties":{"total":42}},
                     {"event_id":"0190f1a0-7c1e-7d3a-9b1e-2f6c3e4d5a6b","type":"page.viewed","timestamp":"2026-01-31T12:00:00Z"}]"""),
            @Content(mediaType = RequestBodyParser.NDJSON)})
    @APIResponse(responseCode = "202", description = "Accepted events are committed to Kafka",
            content = @Content(schema = @Schema(implementation = IngestResponse.class)))
    @APIResponse(responseCode = "400", description = "Malformed body, invalid UTF-8, or no valid event")
    @APIResponse(responseCode = "401", description = "Missing or unknown API key")
    @APIResponse(responseCode = "413", description = "Body over the size limit or too many events")
    @APIResponse(responseCode = "429", description = "Over the tenant's events per second; see Retry-After")
    @APIResponse(responseCode = "415", description = "Not application/json or application/x-ndjson")
    @APIResponse(responseCode = "503", description = "Kafka could not take the events in time and stored none of them; "
            + "retry with the same event_ids")
    @RunOnVirtualThread
    public Response ingest(RoutingContext routing, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, byte[] body) {
        Tenant tenant = routing.get(InFlightBodies.TENANT); // the key was checked before the body was read
        Span.current().setAttribute(EventTracing.TENANT, tenant.id());
        meters.counter("freshet.ingest.bytes", "tenant", tenant.id()).increment(body.length);
        var result = validator.validate(parser.parse(body, contentType), tenant.id(), Instant.now(), userAgent);
        // one counter update per error code, not per rejected event (a request may carry 10,000)
        result.errors().stream().collect(Collectors.groupingBy(EventError::code, Collectors.counting()))
                .forEach((code, events) -> count(tenant, "rejected", code, events));
        if (result.accepted().isEmpty()) {
            throw new IngestException(Status.BAD_REQUEST, "no_valid_events",
                    "No event of the request is valid; first problem at index " + result.errors().getFirst().index()
                            + ": " + result.errors().getFirst().message());
        }
        if (!rateLimiter.tryAcquire(tenant, result.accepted().size())) {
            count(tenant, "rate_limited", "", result.accepted().size());
            throw new IngestException(Status.TOO_MANY_REQUESTS, "rate_limited", "Tenant '" + tenant.id()
                    + "' is over its rate of events per second; retry after the Retry-After delay", RETRY_AFTER_SECONDS);
        }
        try {
            publisher.publish(result.accepted());
        } catch (KafkaUnavailableException e) {
            LOG.warnf("Answering 503 to tenant %s: %s", tenant.id(), e.getMessage());
            count(tenant, "unavailable", e.outcomeUnknown() ? "outcome_unknown" : "", result.accepted().size());
            throw new IngestException(Status.SERVICE_UNAVAILABLE, "kafka_unavailable", e.outcomeUnknown()
                    ? "The event log did not confirm the write in time, so it may or may not have stored the events; "
                    + "retry with the same event_ids"
                    : "The event log cannot take writes right now and stored none of the events; retry with the same event_ids",
                    RETRY_AFTER_SECONDS);
        }
        count(tenant, "accepted", "", result.accepted().size());
        return Response.accepted(new IngestResponse(result.accepted().size(), result.errors().size(),
                result.accepted().stream().map(RawEvent::eventId).toList(), result.errors())).build();
    }

    /** Events by tenant and outcome (accepted, rejected with the error code as reason, rate_limited, unavailable). */
    private void count(Tenant tenant, String outcome, String reason, long events) {
        meters.counter("freshet.ingest.events", "tenant", tenant.id(), "outcome", outcome, "reason", reason).increment(events);
    }
}

package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.ingest.access.IngestAccess;
import io.freshet.ingest.limit.BodyDeadline;
import io.freshet.eventmodel.event.EventValidator;
import io.freshet.ingest.processing.RequestBodyParser;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;

/** {@code POST /v1/events}: the pipeline's front door (see the ingest contract in ARCHITECTURE.md). */
@Path("/v1/events")
@Tag(name = "Ingest")
@SecurityScheme(securitySchemeName = "tenantKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The tenant's API key; the tenant of every event comes from it")
@SecurityRequirement(name = "tenantKey")
public class EventsResource {

    private final RequestBodyParser parser;
    private final EventValidator validator;
    private final EventIntake intake;
    private final MeterRegistry meters;

    public EventsResource(RequestBodyParser parser, EventValidator validator, EventIntake intake, MeterRegistry meters) {
        this.parser = parser;
        this.validator = validator;
        this.intake = intake;
        this.meters = meters;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send events", description = "One JSON event, a JSON array of events, or NDJSON "
            + "(Content-Type: application/x-ndjson); JSON may come as text/plain (navigator.sendBeacon), any body gzipped "
            + "(Content-Encoding: gzip). Answered 202 only after Kafka acknowledged every accepted event; "
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
    @APIResponse(responseCode = "403", description = "A key without the write scope (wrong_scope), a page of an origin "
            + "the tenant does not allow (origin_not_allowed), or a read key in the URL (key_in_url)")
    @APIResponse(responseCode = "413", description = "Body over the size limit or too many events")
    @APIResponse(responseCode = "429", description = "Over the tenant's events per second; see Retry-After")
    @APIResponse(responseCode = "415", description = "Not application/json, text/plain or application/x-ndjson")
    @APIResponse(responseCode = "503", description = "Kafka could not take the events in time and stored none of them; "
            + "retry with the same event_ids")
    @RunOnVirtualThread
    public Response ingest(RoutingContext routing, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, byte[] body) {
        BodyDeadline.bodyRead(routing);
        Tenant tenant = routing.get(IngestAccess.TENANT); // the key was checked before the body was read
        Span.current().setAttribute(EventTracing.TENANT, tenant.id());
        meters.counter("freshet.ingest.bytes", "tenant", tenant.id()).increment(body.length);
        var result = validator.validate(parser.parse(body, contentType), tenant.id(), Instant.now(), userAgent);
        return Response.accepted(intake.take(tenant, result)).build();
    }
}

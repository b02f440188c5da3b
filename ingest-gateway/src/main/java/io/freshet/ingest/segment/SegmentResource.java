package io.freshet.ingest.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.ingest.access.IngestAccess;
import io.freshet.ingest.limit.BodyDeadline;
import io.freshet.ingest.endpoint.EventIntake;
import io.freshet.eventmodel.http.ApiException;
import io.freshet.ingest.endpoint.IngestResponse;
import io.freshet.eventmodel.event.EventError;
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
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The Segment-compatible tracking API ({@code POST /v1/batch|track|page|screen|identify|group|alias}), so apps
 * instrumented with Segment's or RudderStack's SDKs send to Freshet unchanged. The key is the write key of HTTP Basic
 * or Bearer auth, or the body's {@code writeKey}; each message becomes one Freshet event ({@link SegmentMessages}) and
 * goes the way of every ingested event, answered only once Kafka committed it.
 */
@Path("/v1")
@Tag(name = "Segment-compatible tracking API")
public class SegmentResource {

    /** The spec's bound on one request. */
    public static final int MAX_REQUEST_BYTES = 500 * 1024;
    /** The batch context's bytes times its messages: what one request may make the pipeline write besides itself. */
    static final long MAX_CONTEXT_COPIES_BYTES = 4L * 1024 * 1024;

    private final RequestBodyParser parser;
    private final SegmentMessages messages;
    private final EventValidator validator;
    private final EventIntake intake;
    private final IngestAccess access;
    private final MeterRegistry meters;

    public SegmentResource(RequestBodyParser parser, SegmentMessages messages, EventValidator validator,
                           EventIntake intake, IngestAccess access, MeterRegistry meters) {
        this.parser = parser;
        this.messages = messages;
        this.validator = validator;
        this.intake = intake;
        this.access = access;
        this.meters = meters;
    }

    /** What the SDKs read as success (HTTP 200), with Freshet's account of each message. */
    public record SegmentResponse(boolean success, int accepted, int rejected, List<String> ids, List<EventError> errors) {
        static SegmentResponse of(IngestResponse taken) {
            return new SegmentResponse(true, taken.accepted(), taken.rejected(), taken.ids(), taken.errors());
        }
    }

    @POST
    @Path("{call: batch|track|page|screen|identify|group|alias}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Segment-spec calls", description = "A batch ({\"batch\":[...]}) or one call, as the Segment and "
            + "RudderStack SDKs send them; HTTP Basic auth with a write key as user name, or 'writeKey' in the body. "
            + "Answered 200 once Kafka committed every accepted message; messageId makes retries idempotent.")
    @APIResponse(responseCode = "200", description = "Accepted messages are committed to Kafka")
    @APIResponse(responseCode = "400", description = "Malformed body or no valid message")
    @APIResponse(responseCode = "401", description = "Missing or unknown write key")
    @APIResponse(responseCode = "413", description = "Over 500 KB per request")
    @APIResponse(responseCode = "429", description = "Over the tenant's events per second; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka could not take the events in time; retry the same messages")
    @RunOnVirtualThread
    public Response receive(@PathParam("call") String call, RoutingContext routing,
                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, byte[] body) {
        BodyDeadline.bodyRead(routing);
        if (body.length > MAX_REQUEST_BYTES) {
            throw new ApiException(Status.REQUEST_ENTITY_TOO_LARGE, "batch_too_large",
                    "A request may be at most " + MAX_REQUEST_BYTES / 1024 + " KB, got " + body.length + " bytes");
        }
        JsonNode document = parser.parseDocument(body, contentType);
        if (!document.isObject()) {
            throw new ApiException(Status.BAD_REQUEST, "malformed_body", "The body must be a JSON object");
        }
        Tenant tenant = tenantOf(routing, document);
        Span.current().setAttribute(EventTracing.TENANT, tenant.id());
        meters.counter("freshet.ingest.bytes", "tenant", tenant.id()).increment(body.length);
        Instant receivedAt = Instant.now();
        List<SegmentMessages.Message> calls = messagesOf(call, (ObjectNode) document);
        parser.checkCount(calls.size());

        List<JsonNode> events = new ArrayList<>(calls.size());
        List<Integer> indexOfEvent = new ArrayList<>(calls.size());
        List<EventError> errors = new ArrayList<>();
        for (SegmentMessages.Message message : calls) {
            switch (messages.map(message, receivedAt)) {
                case SegmentMessages.Mapped.Event mapped -> {
                    events.add(mapped.event());
                    indexOfEvent.add(mapped.index());
                }
                case SegmentMessages.Mapped.Refused refused -> errors.add(refused.error());
            }
        }
        var validated = validator.validate(events, tenant.id(), receivedAt, userAgent);
        validated.errors().forEach(e -> errors.add(new EventError(indexOfEvent.get(e.index()), e.code(), e.message())));
        errors.sort(Comparator.comparingInt(EventError::index));
        return Response.ok(SegmentResponse.of(intake.take(tenant, new EventValidator.Result(validated.accepted(), errors))))
                .build();
    }

    private Tenant tenantOf(RoutingContext routing, JsonNode document) {
        Tenant fromHeader = routing.get(IngestAccess.TENANT);
        if (fromHeader != null) {
            return fromHeader;
        }
        return Optional.ofNullable(document.get("writeKey")).filter(JsonNode::isTextual).map(JsonNode::textValue)
                .map(key -> access.admitBodyKey(key, routing))
                .orElseThrow(() -> new ApiException(Status.UNAUTHORIZED, "unauthorized",
                        "Send a write key as the user name of HTTP Basic auth, or as 'writeKey' in the body"));
    }

    private static List<SegmentMessages.Message> messagesOf(String call, ObjectNode document) {
        if (!call.equals("batch")) {
            return List.of(new SegmentMessages.Message(0, document, SegmentCall.of(call).orElseThrow(), null, null));
        }
        JsonNode batch = document.get("batch");
        if (batch == null || !batch.isArray() || batch.isEmpty()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_batch", "'batch' must be a non-empty array of calls");
        }
        String sentAt = document.path("sentAt").isTextual() ? document.get("sentAt").textValue() : null;
        JsonNode context = batchContext(document.get("context"), batch.size());
        List<SegmentMessages.Message> calls = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            JsonNode message = batch.get(i);
            SegmentCall type = SegmentCall.of(message.path("type").asText()).orElse(null);
            calls.add(new SegmentMessages.Message(i, message, type, context, sentAt));
        }
        return calls;
    }

    /**
     * The batch's context, checked once: each message's event carries it, so its size times the messages is what the
     * request makes the pipeline write, and must stay about what one request may carry.
     */
    private static JsonNode batchContext(JsonNode context, int messages) {
        if (context == null || context.isNull()) {
            return null;
        }
        if (!context.isObject()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_context", "The batch's 'context' must be a JSON object");
        }
        long bytes = context.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > SegmentMessages.MAX_MESSAGE_BYTES || bytes * messages > MAX_CONTEXT_COPIES_BYTES) {
            throw new ApiException(Status.REQUEST_ENTITY_TOO_LARGE, "context_too_large", "The batch's context ("
                    + bytes + " bytes) goes into each of its " + messages + " messages: it may be at most "
                    + SegmentMessages.MAX_MESSAGE_BYTES / 1024 + " KB, and " + MAX_CONTEXT_COPIES_BYTES / (1024 * 1024)
                    + " MiB over all messages; send a smaller context or fewer messages per batch");
        }
        return context;
    }
}

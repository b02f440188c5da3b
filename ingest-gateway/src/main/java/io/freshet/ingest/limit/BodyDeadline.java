package io.freshet.ingest.limit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.http.ApiError;
import io.freshet.ingest.access.IngestAccess;
import io.freshet.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every body must arrive at a minimum rate: an upload that has not ended by its deadline (a grace period plus its
 * declared size at that rate) is answered 408 and its connection closed, which gives its share of
 * {@link InFlightBodies}' budget back. The idle timeout alone would not do: one byte every few seconds restarts it, so
 * a trickle could hold a body's share for ever.
 */
@ApplicationScoped
public class BodyDeadline {

    /** After InFlightBodies: only admitted bodies are timed. */
    private static final int PRIORITY = 90;

    private final long graceMillis;
    private final long minBytesPerSecond;
    private final long maxBody;
    private final Counter cut;
    private final String tooSlowBody;

    public BodyDeadline(IngestConfig config, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
                        ObjectMapper json, MeterRegistry meters) throws JsonProcessingException {
        this.graceMillis = config.bodyGrace().toMillis();
        this.minBytesPerSecond = config.minBodyRate().asLongValue();
        this.maxBody = maxBody.asLongValue();
        this.cut = Counter.builder("freshet.ingest.slow.bodies")
                .description("Uploads cut with 408 because their body came slower than the minimum rate").register(meters);
        this.tooSlowBody = json.writeValueAsString(ApiError.of("body_too_slow", "The request body came slower than "
                + minBytesPerSecond + " bytes per second; send it again at once"));
    }

    void register(@Observes Filters filters) {
        filters.register(this::time, PRIORITY);
    }

    void time(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !IngestAccess.isIngestPath(context.normalizedPath())
                || context.request().isEnded()) {
            context.next();
            return;
        }
        long timer = context.vertx().setTimer(deadlineMillis(context.request().getHeader(HttpHeaders.CONTENT_LENGTH)),
                id -> cutIfUnfinished(context));
        context.addEndHandler(done -> context.vertx().cancelTimer(timer));
        context.next();
    }

    private void cutIfUnfinished(RoutingContext context) {
        if (arrived(context.request()) || context.response().ended() || context.response().headWritten()) {
            return; // what remains is the gateway's time (the wait for Kafka), not the client's
        }
        cut.increment();
        context.response().setStatusCode(408).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close").end(tooSlowBody)
                .onComplete(sent -> context.request().connection().close());
    }

    /**
     * Whether the whole body came: a request the REST layer holds paused after reading it is never "ended" for Vert.x,
     * so the bytes read are counted against the declared length. Not for a compressed body, whose inflated bytes are
     * counted: its trickle could pass the declared length early.
     */
    private static boolean arrived(HttpServerRequest request) {
        return request.isEnded() || request.getHeader(HttpHeaders.CONTENT_ENCODING) == null
                && request.bytesRead() >= InFlightBodies.declared(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    }

    /** The grace period plus the declared size (the body limit when undeclared) at the minimum rate. */
    long deadlineMillis(String contentLength) {
        return graceMillis + Math.min(InFlightBodies.declared(contentLength), maxBody) * 1000 / minBytesPerSecond;
    }
}

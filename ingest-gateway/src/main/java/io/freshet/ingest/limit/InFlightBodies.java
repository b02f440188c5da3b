package io.freshet.ingest.limit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.http.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.freshet.ingest.access.IngestAccess;
import io.freshet.ingest.config.IngestConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request bodies the gateway holds at once, whatever the number of clients: before a body is read (and
 * after {@link IngestAccess} admitted the request), its declared size (the body limit when undeclared or compressed)
 * is reserved from a fixed budget and given back when the exchange ends or the connection drops. A request that does
 * not fit gets 503 with Retry-After before a byte of its body is buffered.
 */
@ApplicationScoped
public class InFlightBodies {

    /** Before the REST layer, which reads the body. */
    private static final int PRIORITY = 100;

    private final long budget;
    private final long maxBody;
    private final AtomicLong reserved = new AtomicLong();
    private final Counter refused;
    private final String busyBody;

    public InFlightBodies(IngestConfig config,
                          @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
                          ObjectMapper json, MeterRegistry meters) throws JsonProcessingException {
        this.budget = config.maxInFlightBodyBytes().asLongValue();
        this.maxBody = maxBody.asLongValue();
        this.busyBody = json.writeValueAsString(ApiError.of("gateway_busy",
                "The gateway holds as many request bodies as it may; retry after the Retry-After delay"));
        this.refused = Counter.builder("freshet.ingest.busy.requests")
                .description("Requests refused because the in-flight body budget was used up").register(meters);
        meters.gauge("freshet.ingest.in.flight.body.bytes", List.of(), reserved);
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, PRIORITY);
    }

    void admit(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !IngestAccess.isIngestPath(context.normalizedPath())) {
            context.next(); // another method on an ingest path: the REST layer answers 405
            return;
        }
        // a compressed body may grow to the body limit (which bounds the inflated bytes)
        long claim = context.request().getHeader(HttpHeaders.CONTENT_ENCODING) != null ? maxBody
                : claim(context.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (reserved.addAndGet(claim) > budget) {
            reserved.addAndGet(-claim);
            refused.increment();
            context.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
            refuse(context, 503, busyBody);
            return;
        }
        // given back once: when the answer starts (by then the body was read, or will never be: 413), or when
        // the connection drops without one (a stalled upload); the later layers may replace the latter hook
        var released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                reserved.addAndGet(-claim);
            }
        };
        context.addHeadersEndHandler(headers -> release.run());
        context.addEndHandler(done -> release.run());
        context.next();
    }

    private static void refuse(RoutingContext context, int status, String body) {
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    /** The declared length, capped at the body limit (bigger bodies get 413 unread); the limit if undeclared. */
    private long claim(String contentLength) {
        try {
            return contentLength == null ? maxBody : Math.clamp(Long.parseLong(contentLength), 0, maxBody);
        } catch (NumberFormatException e) {
            return maxBody;
        }
    }
}

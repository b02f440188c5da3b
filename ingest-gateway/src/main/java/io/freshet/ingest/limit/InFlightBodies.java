package io.freshet.ingest.limit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.http.ApiError;
import io.freshet.ingest.access.IngestAccess;
import io.freshet.ingest.config.IngestConfig;
import io.freshet.ingest.segment.SegmentResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request bodies the gateway holds at once, whatever the number of clients: before a body is read (and
 * after {@link IngestAccess} admitted the request), its declared size (the body limit when undeclared or compressed)
 * is reserved from a fixed budget and given back when the exchange ends or the connection drops. A request that does
 * not fit gets 503 with Retry-After before a byte of its body is buffered.
 * <p>
 * A body whose key is inside it (a Segment {@code writeKey}) comes from someone not yet authenticated: it is reserved
 * from a small budget of its own, never from the one authenticated clients need, at most a few at a time per client
 * address, and at most the Segment spec's 500 KB when declared.
 */
@ApplicationScoped
public class InFlightBodies {

    /** Before the REST layer, which reads the body. */
    private static final int PRIORITY = 100;

    private final Budget authenticated;
    private final Budget keyInBody;
    private final long maxBody;
    private final int keyInBodyPerClient;
    private final Map<String, AtomicLong> keyInBodyByClient = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final MeterRegistry meters;

    public InFlightBodies(IngestConfig config,
                          @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
                          ObjectMapper json, MeterRegistry meters) {
        this.maxBody = maxBody.asLongValue();
        this.keyInBodyPerClient = config.keyInBody().maxPerClient();
        this.json = json;
        this.meters = meters;
        this.authenticated = new Budget(config.maxInFlightBodyBytes().asLongValue());
        this.keyInBody = new Budget(config.keyInBody().maxInFlightBytes().asLongValue());
        meters.gauge("freshet.ingest.in.flight.body.bytes", List.of(), authenticated.reserved);
        meters.gauge("freshet.ingest.in.flight.key.in.body.bytes", List.of(), keyInBody.reserved);
    }

    /** Bytes reserved out of a fixed budget. */
    private record Budget(long size, AtomicLong reserved) {
        Budget(long size) {
            this(size, new AtomicLong());
        }

        boolean take(long bytes) {
            if (reserved.addAndGet(bytes) > size) {
                reserved.addAndGet(-bytes);
                return false;
            }
            return true;
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, PRIORITY);
    }

    void admit(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !IngestAccess.isIngestPath(context.normalizedPath())) {
            context.next(); // another method on an ingest path: the REST layer answers 405
            return;
        }
        boolean compressed = context.request().getHeader(HttpHeaders.CONTENT_ENCODING) != null;
        long declared = declared(context.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (!IngestAccess.hasKeyInBody(context)) {
            // a compressed body may grow to the body limit (which bounds the inflated bytes)
            long claim = compressed ? maxBody : Math.min(declared, maxBody);
            if (!authenticated.take(claim)) {
                busy(context, 503, "gateway_busy",
                        "The gateway holds as many request bodies as it may; retry after the Retry-After delay");
                return;
            }
            admitted(context, () -> authenticated.reserved.addAndGet(-claim));
            return;
        }
        if (declared > SegmentResource.MAX_REQUEST_BYTES && declared != Long.MAX_VALUE) {
            refuse(context, 413, "batch_too_large", "A request may be at most " + SegmentResource.MAX_REQUEST_BYTES / 1024
                    + " KB, got " + declared + " bytes");
            return;
        }
        long claim = compressed || declared == Long.MAX_VALUE ? maxBody : declared;
        String client = context.request().remoteAddress() == null ? "unknown" : context.request().remoteAddress().hostAddress();
        AtomicLong ofClient = keyInBodyByClient.computeIfAbsent(client, c -> new AtomicLong());
        if (ofClient.incrementAndGet() > keyInBodyPerClient) {
            giveBack(client, ofClient);
            busy(context, 429, "too_many_uploads", "At most " + keyInBodyPerClient + " requests with the key in the body "
                    + "upload at once from one address; send the key as HTTP Basic auth or wait for the Retry-After delay");
            return;
        }
        if (!keyInBody.take(claim)) {
            giveBack(client, ofClient);
            busy(context, 503, "gateway_busy", "The gateway holds as many requests with the key in the body as it may; "
                    + "send the key as HTTP Basic auth, or retry after the Retry-After delay");
            return;
        }
        admitted(context, () -> {
            keyInBody.reserved.addAndGet(-claim);
            giveBack(client, ofClient);
        });
    }

    private void giveBack(String client, AtomicLong ofClient) {
        if (ofClient.decrementAndGet() <= 0) {
            keyInBodyByClient.remove(client, ofClient);
        }
    }

    /**
     * Given back once: when the answer starts (by then the body was read, or will never be: 413), or when the
     * connection drops without one (a stalled upload); the later layers may replace the latter hook.
     */
    private static void admitted(RoutingContext context, Runnable release) {
        var released = new AtomicBoolean();
        Runnable once = () -> {
            if (released.compareAndSet(false, true)) {
                release.run();
            }
        };
        context.addHeadersEndHandler(headers -> once.run());
        context.addEndHandler(done -> once.run());
        context.next();
    }

    private void busy(RoutingContext context, int status, String code, String message) {
        meters.counter("freshet.ingest.busy.requests", "reason", code).increment();
        context.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
        refuse(context, status, code, message);
    }

    private void refuse(RoutingContext context, int status, String code, String message) {
        try {
            context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(ApiError.of(code, message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The declared length; Long.MAX_VALUE when undeclared or unreadable. */
    static long declared(String contentLength) {
        try {
            return contentLength == null ? Long.MAX_VALUE : Math.max(0, Long.parseLong(contentLength));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}

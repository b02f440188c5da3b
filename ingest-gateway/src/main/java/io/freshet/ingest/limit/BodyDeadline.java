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
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
    private static final String BODY_READ = BodyDeadline.class.getName() + ".read";
    /** A timer this late means the gateway, not the client, lost the time. */
    private static final long STALL_MILLIS = 200;

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
        var read = new AtomicBoolean();
        context.put(BODY_READ, read);
        var timer = new AtomicLong();
        long deadline = deadlineMillis(context.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        arm(context, read, timer, deadline, deadline);
        context.addEndHandler(done -> context.vertx().cancelTimer(timer.get()));
        context.next();
    }

    /**
     * @param givesBack how much more time stalls of the gateway may still give the body: at most its deadline once
     *                  more, so a stall an attacker could cause (CPU starvation) does not switch the rate off
     */
    private void arm(RoutingContext context, AtomicBoolean read, AtomicLong timer, long millis, long givesBack) {
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        timer.set(context.vertx().setTimer(millis, id -> {
            long lateMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - due);
            if (lateMillis > STALL_MILLIS && givesBack > 0) {
                // the gateway itself stood still (paused, a long GC, starved of CPU) while the client's time ran: the
                // bytes it sent meanwhile wait unread in the socket, so it gets that time again
                long again = Math.min(lateMillis, givesBack);
                arm(context, read, timer, again, givesBack - again);
            } else {
                cutIfUnfinished(context, read);
            }
        }));
    }

    /**
     * Called by an ingest resource before anything else: it has the whole body, so what follows (the wait for Kafka)
     * is the gateway's time, not the client's. Vert.x cannot say so itself: a request the REST layer holds paused
     * after reading it is never "ended", and a compressed body's bytes read are its inflated ones.
     */
    public static void bodyRead(RoutingContext context) {
        AtomicBoolean read = context.get(BODY_READ);
        if (read != null) {
            read.set(true);
        }
    }

    private void cutIfUnfinished(RoutingContext context, AtomicBoolean read) {
        if (read.get() || context.request().isEnded() || context.response().ended() || context.response().headWritten()) {
            return; // what remains is the gateway's time (the wait for Kafka), not the client's
        }
        cut.increment();
        context.response().setStatusCode(408).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close").end(tooSlowBody)
                .onComplete(sent -> context.request().connection().close());
    }

    /** The grace period plus the declared size (the body limit when undeclared) at the minimum rate. */
    long deadlineMillis(String contentLength) {
        return graceMillis + Math.min(InFlightBodies.declared(contentLength), maxBody) * 1000 / minBytesPerSecond;
    }
}

package io.freshet.enricher.quality;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.eventmodel.record.Alert;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pauses a tenant whose events keep breaking its rules: when, within a window, at least {@code min-events} of its
 * events were checked and the share that failed passes {@code failure-rate}, its events go to the DLQ (stage
 * circuit_breaker, replayable) for {@code pause}, and an alert goes to freshet.alerts. Other tenants, though they
 * share its partitions, flow on. After the pause its events are enriched again under a fresh window.
 * <p>
 * State changes only when the batch that caused them commits ({@link #commit}), so an aborted batch neither counts
 * nor opens anything; the alert is written in the same transaction as the batch that opened the breaker.
 */
@ApplicationScoped
public class TenantCircuitBreaker {

    private static final Logger LOG = Logger.getLogger(TenantCircuitBreaker.class);

    private final double failureRate;
    private final long minEvents;
    private final Duration window;
    private final Duration pause;
    private final MeterRegistry meters;
    private final Map<String, TenantWindow> windows = new ConcurrentHashMap<>();

    public TenantCircuitBreaker(MeterRegistry meters, EnricherConfig config) {
        EnricherConfig.Breaker breaker = config.breaker();
        Duration window = breaker.window();
        Duration pause = breaker.pause();
        this.meters = meters;
        this.failureRate = breaker.failureRate();
        this.minEvents = breaker.minEvents();
        this.window = window;
        this.pause = pause;
    }

    /** Events and rule failures of one tenant in one batch. */
    public static final class Counts {
        long events;
        long failures;

        public void add(boolean failed) {
            events++;
            if (failed) {
                failures++;
            }
        }
    }

    /** A breaker that opens with a batch: who, why, until when. */
    public record Opening(String tenantId, long events, long failures, Instant windowStart, Instant openedAt,
                          Instant pausedUntil, double threshold, String reason) {

        static Opening of(String tenantId, long events, long failures, Instant windowStart, Instant openedAt,
                          Instant pausedUntil, double threshold) {
            // formatted once: every event of the paused tenant carries it to the DLQ
            return new Opening(tenantId, events, failures, windowStart, openedAt, pausedUntil, threshold, String.format(
                    "Tenant '%s' is paused until %s: %d of its %d events since %s broke its rules (%.0f%%, limit %.0f%%)",
                    tenantId, pausedUntil, failures, events, windowStart, 100.0 * failures / events, 100 * threshold));
        }

        /** Its id is the tenant and the opening time, so a consumer recognises a redelivered alert. */
        public Alert alert() {
            return Alert.newBuilder()
                    .setTenantId(tenantId)
                    .setAlertId("circuit_breaker/" + tenantId + "/" + openedAt.toEpochMilli())
                    .setRule("circuit_breaker")
                    .setWindowStart(windowStart)
                    .setWindowEnd(openedAt)
                    .setObserved(Math.round(100.0 * failures / events))
                    .setThreshold(Math.round(100 * threshold))
                    .setMessage(reason)
                    .setRaisedAt(openedAt)
                    .build();
        }
    }

    private final class TenantWindow {
        Instant start;
        long events;
        long failures;
        volatile Opening open; // read by the paused gauge on a scrape

        Opening pausing(Instant now) {
            Opening opening = open;
            return opening != null && now.isBefore(opening.pausedUntil()) ? opening : null;
        }

        /** No window yet, or the current one is over: counting starts anew at {@code now}. */
        boolean over(Instant now) {
            return start == null || !now.isBefore(start.plus(window));
        }
    }

    /** The opening that pauses this tenant now, if any. */
    public Opening pausing(String tenantId, Instant now) {
        TenantWindow w = windows.get(tenantId);
        return w == null ? null : w.pausing(now);
    }

    /** The breakers this batch's counts would open (state unchanged until {@link #commit}). */
    public List<Opening> openings(Map<String, Counts> batch, Instant now) {
        List<Opening> openings = new ArrayList<>();
        batch.forEach((tenant, counts) -> {
            TenantWindow w = windows.get(tenant);
            boolean fresh = w == null || w.over(now);
            Instant start = fresh ? now : w.start;
            long events = counts.events + (fresh ? 0 : w.events);
            long failures = counts.failures + (fresh ? 0 : w.failures);
            if (pausing(tenant, now) == null && events >= minEvents && failures > failureRate * events) {
                openings.add(Opening.of(tenant, events, failures, start, now, now.plus(pause), failureRate));
            }
        });
        return openings;
    }

    /** The batch committed: its counts join the windows, and the breakers it opened are open. */
    public void commit(Map<String, Counts> batch, List<Opening> openings, Instant now) {
        batch.forEach((tenant, counts) -> {
            if (pausing(tenant, now) != null) {
                return; // what a paused tenant sends does not count against its next window
            }
            TenantWindow w = window(tenant);
            if (w.over(now)) {
                w.start = now;
                w.events = 0;
                w.failures = 0;
            }
            w.events += counts.events;
            w.failures += counts.failures;
        });
        for (Opening opening : openings) {
            TenantWindow w = window(opening.tenantId());
            w.open = opening;
            w.start = opening.pausedUntil(); // counting starts afresh when the pause ends
            w.events = 0;
            w.failures = 0;
            meters.counter("freshet.enricher.breaker.openings", "tenant", opening.tenantId()).increment();
            LOG.warn(opening.reason());
        }
    }

    private TenantWindow window(String tenant) {
        return windows.computeIfAbsent(tenant, t -> {
            var w = new TenantWindow();
            Gauge.builder("freshet.enricher.tenant.paused", w, tenantWindow -> tenantWindow.pausing(Instant.now()) != null ? 1 : 0)
                    .tag("tenant", t).register(meters);
            return w;
        });
    }
}

package io.freshet.analytics.graphql;

import io.freshet.analytics.config.AnalyticsConfig;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.analytics.endpoint.ConnectionKey;
import io.freshet.analytics.endpoint.SubscriptionRefusals;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open subscriptions, at most {@code max-per-connection} per WebSocket connection and {@code max-per-key} per API
 * key (over its connections, in this instance): each costs a query every push period, so one client must not hold
 * thousands. The subscription over a cap is refused with {@code too_many_subscriptions}; the others go on.
 */
@ApplicationScoped
public class SubscriptionCaps {

    private final int perConnection;
    private final int perKey;
    private final SubscriptionRefusals refusals;
    private final Map<String, Integer> byConnection = new ConcurrentHashMap<>();
    private final Map<String, Integer> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    public SubscriptionCaps(AnalyticsConfig config, SubscriptionRefusals refusals, MeterRegistry meters) {
        this.perConnection = config.subscriptions().maxPerConnection();
        this.perKey = config.subscriptions().maxPerKey();
        this.refusals = refusals;
        meters.gauge("freshet.graphql.subscriptions", List.of(), open);
    }

    /**
     * A place for one more subscription of this connection and key, to be closed when the subscription ends.
     *
     * @throws AnalyticsException too_many_subscriptions when the connection or the key already holds its most
     */
    public Slot open(ConnectionKey key) {
        if (!take(byConnection, key.connection(), perConnection)) {
            refusals.count("too_many_per_connection", key.tenant().id());
            throw new AnalyticsException(Status.TOO_MANY_REQUESTS, "too_many_subscriptions", "This connection already holds "
                    + perConnection + " subscriptions, the most one connection may; complete one before starting another");
        }
        if (!take(byKey, key.key(), perKey)) {
            release(byConnection, key.connection());
            refusals.count("too_many_per_key", key.tenant().id());
            throw new AnalyticsException(Status.TOO_MANY_REQUESTS, "too_many_subscriptions", "This API key already holds "
                    + perKey + " subscriptions, the most one key may; complete one before starting another");
        }
        open.incrementAndGet();
        return new Slot(key);
    }

    /** One more for {@code id} unless it already has {@code cap}; no entry is kept for an id with none. */
    private static boolean take(Map<String, Integer> counts, String id, int cap) {
        AtomicBoolean taken = new AtomicBoolean();
        counts.compute(id, (ignored, held) -> {
            int now = held == null ? 0 : held;
            if (now >= cap) {
                return held;
            }
            taken.set(true);
            return now + 1;
        });
        return taken.get();
    }

    private static void release(Map<String, Integer> counts, String id) {
        counts.computeIfPresent(id, (ignored, held) -> held <= 1 ? null : held - 1);
    }

    /** One subscription's place; closing it more than once frees it once. */
    public final class Slot implements AutoCloseable {

        private final ConnectionKey key;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Slot(ConnectionKey key) {
            this.key = key;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(byConnection, key.connection());
                release(byKey, key.key());
                open.decrementAndGet();
            }
        }
    }
}

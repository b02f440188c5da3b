package io.freshet.ingest.limit;

import io.freshet.eventmodel.tenant.Tenant;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import io.freshet.ingest.config.IngestConfig;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events per second per tenant, enforced across all gateway instances with a counter per tenant and
 * second in Redis. Each instance reserves tokens from Redis in chunks and spends them locally, so Redis
 * sees a few calls per tenant and second, not one per event. When Redis is unreachable each instance
 * enforces the whole limit on its own, which errs on the side of accepting.
 */
@ApplicationScoped
public class TenantRateLimiter {

    private static final Logger LOG = Logger.getLogger(TenantRateLimiter.class);
    /** A reservation takes at least this share of the limit, so a busy tenant costs ~20 Redis calls a second. */
    private static final int CHUNKS_PER_SECOND = 20;

    private final ValueCommands<String, Long> counters;
    private final KeyCommands<String> keys;
    private final long defaultLimit;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public TenantRateLimiter(RedisDataSource redis, IngestConfig config) {
        this.counters = redis.value(Long.class);
        this.keys = redis.key();
        this.defaultLimit = config.rateLimit().defaultPerSecond();
    }

    /** Takes {@code events} tokens of the tenant's current second, or none at all when they do not fit. */
    public boolean tryAcquire(Tenant tenant, int events) {
        long limit = tenant.rateLimitPerSecond() > 0 ? tenant.rateLimitPerSecond() : defaultLimit;
        long second = System.currentTimeMillis() / 1000;
        Window window = windows.compute(tenant.id(), (id, w) -> w == null || w.second != second ? new Window(second) : w);
        synchronized (window) {
            if (window.local < events) {
                window.local += reserve(tenant.id(), window, Math.max(events - window.local, limit / CHUNKS_PER_SECOND), limit);
            }
            if (window.local < events) {
                return false;
            }
            window.local -= events;
            return true;
        }
    }

    /** Reserves up to {@code wanted} tokens of the tenant's second from the shared counter; returns how many it got. */
    private long reserve(String tenantId, Window window, long wanted, long limit) {
        String key = "freshet:rate:" + tenantId + ":" + window.second;
        long total;
        try {
            total = counters.incrby(key, wanted);
            if (total == wanted) {
                keys.expire(key, 2); // the first reservation of a second makes it expire soon after that second
            }
        } catch (RuntimeException e) {
            LOG.warnf("Rate limiting tenant %s without Redis (%s): each gateway instance allows the whole limit",
                    tenantId, e.getMessage());
            total = window.reservedAlone += wanted;
        }
        return Math.max(0, Math.min(wanted, limit - (total - wanted)));
    }

    /** One tenant's second on this instance: tokens reserved but not spent yet. */
    private static final class Window {
        final long second;
        long local;
        long reservedAlone;

        Window(long second) {
            this.second = second;
        }
    }
}

package io.freshet.analytics.graphql;

import io.freshet.analytics.endpoint.ApiException;
import io.freshet.analytics.endpoint.TenantKeyAuthentication;
import io.freshet.analytics.stats.Analytics;
import io.freshet.analytics.stats.CountBucket;
import io.freshet.analytics.stats.RecentEvents;
import io.freshet.eventmodel.tenant.Tenant;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Live answers for frontends over WebSocket (graphql-ws / graphql-transport-ws at {@code /graphql}): the same
 * questions as the queries, asked again every {@link #EVERY} through the same cache (so a thousand watchers of one
 * tenant cost ClickHouse one query per cache period) and pushed only when the answer changed. The tenant is the one
 * of the read key in the connection_init payload ({@link TenantKeyAuthentication}).
 */
@GraphQLApi
@ApplicationScoped // one instance: its gauge counts every open subscription
public class LiveAnalyticsGraphQL {

    private static final Logger LOG = Logger.getLogger(LiveAnalyticsGraphQL.class);
    static final Duration EVERY = Duration.ofSeconds(2);
    private static final int MAX_MINUTES = 24 * 60;

    /** Events of one type in the window. */
    public record TypeCount(String type, long count) {
    }

    private final Analytics analytics;
    private final SecurityIdentity identity;
    private final AtomicInteger open = new AtomicInteger();

    public LiveAnalyticsGraphQL(Analytics analytics, SecurityIdentity identity, MeterRegistry meters) {
        this.analytics = analytics;
        this.identity = identity;
        meters.gauge("freshet.graphql.subscriptions", List.of(), open);
    }

    @Subscription
    @Description("Events per type over the last minutes (15 by default), pushed when they change")
    public Multi<@NonNull List<@NonNull TypeCount>> liveEventCounts(@DefaultValue("15") int minutes) {
        Tenant tenant = tenant();
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_minutes", "'minutes' must be between 1 and " + MAX_MINUTES);
        }
        return live(() -> {
            Instant now = Instant.now();
            List<CountBucket> buckets = analytics.counts(tenant, now.minus(Duration.ofMinutes(minutes)).toString(),
                    now.toString(), "minute", null).buckets();
            Map<String, Long> byType = new TreeMap<>();
            buckets.forEach(b -> byType.merge(b.type(), b.count(), Long::sum));
            return byType.entrySet().stream().map(e -> new TypeCount(e.getKey(), e.getValue())).toList();
        });
    }

    @Subscription
    @Description("The tenant's latest stored events (20 by default, at most 100), newest first, pushed when new ones arrive")
    public Multi<@NonNull List<RecentEvents.@NonNull StoredEvent>> latestEvents(@DefaultValue("20") int limit) {
        Tenant tenant = tenant();
        if (limit < 1 || limit > 100) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_limit", "'limit' must be between 1 and 100");
        }
        return live(() -> {
            Instant now = Instant.now();
            return analytics.events(tenant, now.minus(Duration.ofHours(1)).toString(), now.toString(), null,
                    String.valueOf(limit), null).events();
        });
    }

    /** The answer now and whenever it changes; asked on a worker thread (the questions block on ClickHouse). */
    private <T> Multi<T> live(Supplier<T> answer) {
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(EVERY)
                .onOverflow().drop() // a slow client skips a tick rather than queueing them
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> answer.get())
                .skip().repetitions()
                .onFailure().invoke(e -> LOG.warnf("A live answer failed and ended its subscription: %s", e.toString()))
                .onSubscription().invoke(open::incrementAndGet)
                .onTermination().invoke(open::decrementAndGet);
    }

    private Tenant tenant() {
        Tenant tenant = identity.isAnonymous() ? null : identity.getAttribute(TenantKeyAuthentication.TENANT);
        if (tenant == null) {
            throw new ApiException(Status.UNAUTHORIZED, "unauthorized", "Send a tenant API key with the 'read' scope as "
                    + "{\"Authorization\": \"Bearer <key>\"} in the connection_init payload");
        }
        return tenant;
    }
}

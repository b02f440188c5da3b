package io.freshet.analytics.graphql;

import io.freshet.analytics.config.AnalyticsConfig;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.analytics.endpoint.ConnectionKey;
import io.freshet.analytics.endpoint.ReadKeyCheck;
import io.freshet.analytics.endpoint.SubscriptionRefusals;
import io.freshet.analytics.endpoint.TenantKeyAuthentication;
import io.freshet.analytics.stats.Analytics;
import io.freshet.analytics.stats.CountBucket;
import io.freshet.analytics.stats.RecentEvents;
import io.freshet.eventmodel.tenant.Tenant;
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
import java.util.function.Function;

/**
 * Live answers for frontends over WebSocket (graphql-ws / graphql-transport-ws at {@code /graphql}): the same
 * questions as the queries, asked again every push period through the same cache, over a time range rounded to the
 * period ({@link LiveWindow}: so a thousand watchers of one tenant cost ClickHouse one query per period) and pushed
 * only when the answer changed. The tenant is the one of the read key in the connection_init payload
 * ({@link TenantKeyAuthentication}); the key is checked again before every push ({@link ReadKeyCheck}) and holds a
 * bounded number of subscriptions ({@link SubscriptionCaps}). A refusal ends the subscription with a GraphQL error
 * whose {@code extensions.code} says why.
 * <p>
 * A refusal is the returned {@link Multi} failing (at its start or before any push): SmallRye GraphQL turns that
 * failure into one last result, the error with {@code data} null (or the last answer again, after a push), sent as
 * a {@code next} followed by {@code complete}. So the subscription fields are nullable ({@code [TypeCount!]}, not
 * {@code [TypeCount!]!}): on a non-null field graphql-java refuses that null result, fails the event stream instead,
 * and SmallRye GraphQL sends the client nothing at all for a failed stream: the operation would just hang. A refusal
 * thrown by the method itself (no key, an argument out of range) is answered with an {@code error} message instead.
 */
@GraphQLApi
@ApplicationScoped
public class LiveAnalyticsGraphQL {

    private static final Logger LOG = Logger.getLogger(LiveAnalyticsGraphQL.class);
    private static final int MAX_MINUTES = 24 * 60;
    private static final Duration LATEST_EVENTS_RANGE = Duration.ofHours(1);

    /** Events of one type in the window. */
    public record TypeCount(String type, long count) {
    }

    private final Analytics analytics;
    private final SecurityIdentity identity;
    private final SubscriptionCaps caps;
    private final ReadKeyCheck keys;
    private final SubscriptionRefusals refusals;
    private final Duration every;

    public LiveAnalyticsGraphQL(Analytics analytics, SecurityIdentity identity, SubscriptionCaps caps, ReadKeyCheck keys,
                                SubscriptionRefusals refusals, AnalyticsConfig config) {
        this.analytics = analytics;
        this.identity = identity;
        this.caps = caps;
        this.keys = keys;
        this.refusals = refusals;
        this.every = config.subscriptions().pushEvery();
    }

    @Subscription
    @Description("Events per type over the last minutes (15 by default), pushed when they change")
    public Multi<List<@NonNull TypeCount>> liveEventCounts(@DefaultValue("15") int minutes) {
        ConnectionKey key = connectionKey();
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_minutes", "'minutes' must be between 1 and " + MAX_MINUTES);
        }
        Duration length = Duration.ofMinutes(minutes);
        return live(key, tenant -> {
            LiveWindow window = LiveWindow.at(Instant.now(), every, length);
            List<CountBucket> buckets = analytics.counts(tenant, window.from().toString(), window.to().toString(),
                    "minute", null).buckets();
            Map<String, Long> byType = new TreeMap<>();
            buckets.forEach(b -> byType.merge(b.type(), b.count(), Long::sum));
            return byType.entrySet().stream().map(e -> new TypeCount(e.getKey(), e.getValue())).toList();
        });
    }

    @Subscription
    @Description("The tenant's latest stored events (20 by default, at most 100), newest first, pushed when new ones arrive")
    public Multi<List<RecentEvents.@NonNull StoredEvent>> latestEvents(@DefaultValue("20") int limit) {
        ConnectionKey key = connectionKey();
        if (limit < 1 || limit > 100) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_limit", "'limit' must be between 1 and 100");
        }
        return live(key, tenant -> {
            LiveWindow window = LiveWindow.at(Instant.now(), every, LATEST_EVENTS_RANGE);
            return analytics.events(tenant, window.from().toString(), window.to().toString(), null,
                    String.valueOf(limit), null).events();
        });
    }

    /**
     * The answer now and whenever it changes, while the key still reads; asked on a worker thread (the questions
     * block on ClickHouse). Its place under the caps is taken when it starts and freed however it ends.
     */
    private <T> Multi<T> live(ConnectionKey key, Function<Tenant, T> answer) {
        return Multi.createFrom().deferred(() -> {
            SubscriptionCaps.Slot slot = caps.open(key);
            return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(every)
                    .onOverflow().drop() // a slow client skips a tick rather than queueing them
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(tick -> answer.apply(stillReading(key)))
                    .skip().repetitions()
                    .onTermination().invoke(slot::close);
        }).onFailure().invoke(e -> {
            // a refusal is the client's to read (and the store logged its own trouble); anything else is a fault here
            if (e instanceof AnalyticsException) {
                LOG.debugf("A subscription of tenant %s ended: %s", key.tenant().id(), e.getMessage());
            } else {
                LOG.warnf("A live answer failed and ended its subscription: %s", e.toString());
            }
        });
    }

    private Tenant stillReading(ConnectionKey key) {
        try {
            return keys.require(key);
        } catch (AnalyticsException e) {
            refusals.count(e.code(), key.tenant().id());
            throw e;
        }
    }

    private ConnectionKey connectionKey() {
        ConnectionKey key = identity.isAnonymous() ? null : identity.getAttribute(ConnectionKey.ATTRIBUTE);
        if (key == null) {
            refusals.count("unauthorized", SubscriptionRefusals.NO_TENANT);
            throw new AnalyticsException(Status.UNAUTHORIZED, "unauthorized", "Send a tenant API key with the 'read' scope as "
                    + "{\"Authorization\": \"Bearer <key>\"} in the connection_init payload");
        }
        return key;
    }
}

package io.freshet.analytics.graphql;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.analytics.config.AnalyticsConfig;
import io.freshet.analytics.config.TestAnalyticsConfig;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.analytics.endpoint.ConnectionKey;
import io.freshet.analytics.endpoint.ReadKeyCheck;
import io.freshet.analytics.endpoint.SubscriptionRefusals;
import io.freshet.analytics.stats.Analytics;
import io.freshet.analytics.stats.CountBucket;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantApiKey;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import org.eclipse.microprofile.graphql.NonNull;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Subscriptions as a client holds them, with the tenant registry and the questions faked: pushes every 50 ms, at most
 * two per connection and three per key.
 */
class LiveAnalyticsGraphQLTest {

    private static final Duration PERIOD = Duration.ofMillis(50);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String READ_KEY = ApiKeys.generate();

    private final Tenants tenants = new Tenants();
    private final AskedCounts analytics = new AskedCounts();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AssertSubscriber<?>> subscribers = new ArrayList<>();
    private SubscriptionCaps caps;
    private SubscriptionRefusals refusals;

    @BeforeEach
    void tenant() {
        tenants.put(Tenant.create("acme", "Acme", ApiKeys.hash(ApiKeys.generate()), AT)
                .withKey(TenantApiKey.issue("key_web", "web", READ_KEY, Set.of(KeyScope.READ), AT), AT));
        refusals = new SubscriptionRefusals(meters);
        caps = new SubscriptionCaps(config(), refusals, meters);
    }

    @AfterEach
    void cancel() {
        subscribers.forEach(AssertSubscriber::cancel);
    }

    @Test
    void eachPushAsksOverTheWindowRoundedToThePeriod() {
        subscribe(connection("c1"), 15).awaitItems(3, WAIT);
        for (Asked asked : analytics.asked) {
            assertEquals(0, asked.to().toEpochMilli() % PERIOD.toMillis(), "ends on a period boundary: " + asked);
            assertEquals(asked.to().minus(Duration.ofMinutes(15)), asked.from());
        }
    }

    @Test
    void aRevokedKeyEndsItsSubscriptionAtTheNextPush() {
        var subscriber = subscribe(connection("c1"), 15).awaitItems(1, WAIT);
        tenants.put(tenants.find("acme").orElseThrow().withoutKey("key_web", AT));
        Throwable ended = subscriber.awaitFailure(WAIT).getFailure();
        assertEquals("key_revoked", assertInstanceOf(AnalyticsException.class, ended).code());
        assertEquals(1.0, meters.get("freshet.graphql.subscriptions.refused").tag("reason", "key_revoked")
                .tag("tenant", "acme").counter().count());
        assertEquals(0.0, meters.get("freshet.graphql.subscriptions").gauge().value(), "its place is freed");
    }

    @Test
    void aDeletedTenantEndsItsSubscriptions() {
        var subscriber = subscribe(connection("c1"), 15).awaitItems(1, WAIT);
        tenants.remove("acme");
        assertEquals("tenant_deleted", ((AnalyticsException) subscriber.awaitFailure(WAIT).getFailure()).code());
    }

    @Test
    void theSubscriptionOverAConnectionsCapIsRefusedWhileTheOthersKeepPushing() {
        var one = subscribe(connection("c1"), 15).awaitItems(1, WAIT);
        var two = subscribe(connection("c1"), 10).awaitItems(1, WAIT);
        var three = subscribe(connection("c1"), 5);
        assertEquals("too_many_subscriptions", ((AnalyticsException) three.awaitFailure(WAIT).getFailure()).code());
        int before = one.getItems().size();
        one.awaitItems(before + 3, WAIT);
        two.awaitItems(two.getItems().size() + 3, WAIT);
        one.assertNotTerminated();
        two.assertNotTerminated();
    }

    @Test
    void theSubscriptionOverAKeysCapIsRefusedOnAnyConnection() {
        subscribe(connection("c1"), 15).awaitItems(1, WAIT);
        subscribe(connection("c1"), 15).awaitItems(1, WAIT);
        subscribe(connection("c2"), 15).awaitItems(1, WAIT);
        var fourth = subscribe(connection("c2"), 15);
        assertEquals("too_many_subscriptions", ((AnalyticsException) fourth.awaitFailure(WAIT).getFailure()).code());
        assertEquals(1.0, meters.get("freshet.graphql.subscriptions.refused").tag("reason", "too_many_per_key")
                .tag("tenant", "acme").counter().count());
    }

    @Test
    void aConnectionWithoutAReadKeyIsRefused() {
        var live = live(QuarkusSecurityIdentity.builder().setAnonymous(true).build());
        assertEquals("unauthorized", assertThrows(AnalyticsException.class, () -> live.liveEventCounts(15)).code());
    }

    /**
     * A refusal reaches the client as a last result whose data is null: on a non-null field graphql-java fails the
     * event stream instead, and SmallRye GraphQL then sends the client nothing (SubscriptionCapsIT, SubscriptionRevocationIT).
     */
    @Test
    void theLiveFieldsAreNullableSoARefusalReachesTheClient() throws Exception {
        for (String field : List.of("liveEventCounts", "latestEvents")) {
            AnnotatedType answer = ((AnnotatedParameterizedType) LiveAnalyticsGraphQL.class.getMethod(field, int.class)
                    .getAnnotatedReturnType()).getAnnotatedActualTypeArguments()[0];
            assertFalse(answer.isAnnotationPresent(NonNull.class), field + " must not be declared non-null");
        }
    }

    private AssertSubscriber<?> subscribe(SecurityIdentity connection, int minutes) {
        AssertSubscriber<?> subscriber = live(connection).liveEventCounts(minutes).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        subscribers.add(subscriber);
        return subscriber;
    }

    private LiveAnalyticsGraphQL live(SecurityIdentity connection) {
        return new LiveAnalyticsGraphQL(analytics, connection, caps, new ReadKeyCheck(tenants), refusals, config());
    }

    private SecurityIdentity connection(String id) {
        Tenant tenant = tenants.find("acme").orElseThrow();
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("acme"))
                .addAttribute(ConnectionKey.ATTRIBUTE, new ConnectionKey(id, tenant, "key_web", ApiKeys.hash(READ_KEY), null))
                .build();
    }

    private static AnalyticsConfig config() {
        return TestAnalyticsConfig.withSubscriptions(PERIOD, 2, 3);
    }

    record Asked(Instant from, Instant to) {
    }

    /** Counts that grow on every question (so every push differs and is sent), remembering each range asked. */
    private static final class AskedCounts extends Analytics {
        final List<Asked> asked = new CopyOnWriteArrayList<>();
        final AtomicLong events = new AtomicLong();

        AskedCounts() {
            super(null, null, null, config());
        }

        @Override
        public Counts counts(Tenant tenant, String from, String to, String interval, String type) {
            asked.add(new Asked(Instant.parse(from), Instant.parse(to)));
            return new Counts(List.of(new CountBucket(Instant.parse(from), "order.created", events.incrementAndGet(), 1)));
        }
    }

    /** The registry as the tenants topic would leave it, changed by the test. */
    private static final class Tenants extends TenantRegistry {
        final Map<String, Tenant> byId = new ConcurrentHashMap<>();

        Tenants() {
            super(new ObjectMapper(), new SimpleMeterRegistry(), null, "smallrye-in-memory");
        }

        void put(Tenant tenant) {
            byId.put(tenant.id(), tenant);
        }

        void remove(String id) {
            byId.remove(id);
        }

        @Override
        public Optional<Tenant> find(String id) {
            return Optional.ofNullable(byId.get(id));
        }
    }
}

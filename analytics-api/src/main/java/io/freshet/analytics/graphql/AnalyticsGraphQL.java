package io.freshet.analytics.graphql;

import io.freshet.analytics.endpoint.TenantAuthenticator;
import io.freshet.analytics.stats.Analytics;
import io.freshet.analytics.stats.AnalyticsQueries;
import io.freshet.analytics.stats.CountBucket;
import io.freshet.analytics.stats.RecentEvents;
import io.freshet.eventmodel.tenant.Tenant;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;

/**
 * {@code /graphql}: the same questions as the REST API, with the same checks and cache ({@link Analytics}); the
 * tenant comes from the request's API key, never from an argument. A refused question is a GraphQL error with
 * the REST API's message.
 */
@GraphQLApi
@Blocking
public class AnalyticsGraphQL {

    private final TenantAuthenticator auth;
    private final Analytics analytics;
    private final CurrentVertxRequest request;

    public AnalyticsGraphQL(TenantAuthenticator auth, Analytics analytics, CurrentVertxRequest request) {
        this.auth = auth;
        this.analytics = analytics;
        this.request = request;
    }

    @Query
    @Description("Events per bucket (minute, hour, day) and type, with distinct users; the last hour by default")
    public @NonNull List<@NonNull CountBucket> eventCounts(String from, String to,
                                                         @DefaultValue(Analytics.DEFAULT_INTERVAL) String interval,
                                                         String type) {
        return analytics.counts(tenant(), from, to, interval, type).buckets();
    }

    @Query
    @Description("Distinct users per bucket, over all event types")
    public @NonNull List<AnalyticsQueries.@NonNull UserBucket> users(String from, String to,
                                                                    @DefaultValue(Analytics.DEFAULT_INTERVAL) String interval) {
        return analytics.users(tenant(), from, to, interval).buckets();
    }

    @Query
    @Description("The most frequent values of a dimension: type, browser, os, device_class, user_id or property.<name>")
    public @NonNull List<AnalyticsQueries.@NonNull TopValue> topValues(@NonNull String dimension, String from, String to,
                                                                      String type,
                                                                      @DefaultValue(Analytics.DEFAULT_TOP_LIMIT) int limit) {
        return analytics.top(tenant(), dimension, from, to, type, String.valueOf(limit)).values();
    }

    @Query
    @Description("How many users did the steps (event types) in order, within the window (ISO-8601, e.g. PT30M)")
    public @NonNull List<AnalyticsQueries.@NonNull FunnelStep> funnel(@NonNull List<@NonNull String> steps,
                                                                     @DefaultValue(Analytics.DEFAULT_FUNNEL_WINDOW) String window,
                                                                     String from, String to) {
        return analytics.funnel(tenant(), steps, window, from, to).steps();
    }

    @Query
    @Description("Stored events, newest first; pass nextCursor back as cursor for the next page")
    public @NonNull RecentEvents.Page events(String from, String to, String type,
                                             @DefaultValue(Analytics.DEFAULT_EVENTS_LIMIT) int limit, String cursor) {
        return analytics.events(tenant(), from, to, type, String.valueOf(limit), cursor);
    }

    private Tenant tenant() {
        return auth.require(request.getCurrent().request().getHeader(HttpHeaders.AUTHORIZATION));
    }
}

package io.freshet.analytics.stats;

import io.freshet.analytics.cache.QueryCache;
import io.freshet.analytics.endpoint.TenantAuthenticator;
import io.freshet.eventmodel.tenant.Tenant;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** {@code GET /v1/events}: a tenant's stored events, newest first, a page at a time ({@code cursor} from the previous page). */
@Path("/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class EventsResource {

    private final TenantAuthenticator auth;
    private final RecentEvents events;
    private final QueryCache cache;

    public EventsResource(TenantAuthenticator auth, RecentEvents events, QueryCache cache) {
        this.auth = auth;
        this.events = events;
        this.cache = cache;
    }

    @GET
    public RecentEvents.Page page(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                  @QueryParam("from") String from, @QueryParam("to") String to,
                                  @QueryParam("type") String type, @QueryParam("limit") @DefaultValue("50") String limitParam,
                                  @QueryParam("cursor") String cursor) {
        Tenant tenant = auth.require(authorization);
        TimeRange range = TimeRange.of(from, to, StatsResource.MAX_RAW_RANGE);
        StatsResource.type(type);
        int limit = StatsResource.limit(limitParam, 1000);
        return cache.get(tenant.id(), "events", Map.of("from", range.from(), "to", range.to(), "type", type == null ? "" : type,
                        "limit", limit, "cursor", cursor == null ? "" : cursor), range.to(), RecentEvents.Page.class,
                () -> events.page(tenant.id(), range, type, limit, cursor));
    }
}

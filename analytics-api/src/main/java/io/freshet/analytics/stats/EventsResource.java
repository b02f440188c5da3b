package io.freshet.analytics.stats;

import io.freshet.analytics.endpoint.TenantAuthenticator;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/events}: a tenant's stored events, newest first, a page at a time ({@code cursor} from the previous page). */
@Path("/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "Events")
@SecurityRequirement(name = "tenantKey")
public class EventsResource {

    private final TenantAuthenticator auth;
    private final Analytics analytics;

    public EventsResource(TenantAuthenticator auth, Analytics analytics) {
        this.auth = auth;
        this.analytics = analytics;
    }

    @GET
    public RecentEvents.Page page(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                  @QueryParam("from") String from, @QueryParam("to") String to,
                                  @QueryParam("type") String type,
                                  @QueryParam("limit") @DefaultValue(Analytics.DEFAULT_EVENTS_LIMIT) String limitParam,
                                  @QueryParam("cursor") String cursor) {
        return analytics.events(auth.require(authorization), from, to, type, limitParam, cursor);
    }
}

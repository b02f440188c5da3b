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
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code GET /v1/stats/...}: a tenant's own analytics (see the analytics contract in ARCHITECTURE.md). */
@Path("/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "Analytics")
@SecurityScheme(securitySchemeName = "tenantKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The tenant's API key; every answer is about that tenant only")
@SecurityRequirement(name = "tenantKey")
public class StatsResource {

    private final TenantAuthenticator auth;
    private final Analytics analytics;

    public StatsResource(TenantAuthenticator auth, Analytics analytics) {
        this.auth = auth;
        this.analytics = analytics;
    }

    /** Events per bucket and type, with their distinct users (from the per-minute rollup). */
    @GET
    @Path("/counts")
    public Analytics.Counts counts(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                   @QueryParam("from") String from, @QueryParam("to") String to,
                                   @QueryParam("interval") String interval, @QueryParam("type") String type) {
        return analytics.counts(auth.require(authorization), from, to, interval, type);
    }

    /** Distinct users per bucket, over all event types. */
    @GET
    @Path("/users")
    public Analytics.Users users(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                @QueryParam("from") String from, @QueryParam("to") String to,
                                @QueryParam("interval") String interval) {
        return analytics.users(auth.require(authorization), from, to, interval);
    }

    /** The most frequent values of a dimension (type, browser, os, device_class, user_id, property.name). */
    @GET
    @Path("/top")
    public Analytics.Top top(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @QueryParam("dimension") String dimension, @QueryParam("from") String from,
                             @QueryParam("to") String to, @QueryParam("type") String type,
                             @QueryParam("limit") @DefaultValue(Analytics.DEFAULT_TOP_LIMIT) String limit) {
        return analytics.top(auth.require(authorization), dimension, from, to, type, limit);
    }

    /** How many users did the steps (comma-separated event types) in order within {@code window}. */
    @GET
    @Path("/funnel")
    public Analytics.Funnel funnel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                   @QueryParam("steps") String steps,
                                   @QueryParam("window") @DefaultValue(Analytics.DEFAULT_FUNNEL_WINDOW) String window,
                                   @QueryParam("from") String from, @QueryParam("to") String to) {
        // split keeping empty parts: "a,,b" and "a,b," are refused as an empty type name
        List<String> types = steps == null ? List.of() : List.of(steps.split(",", -1));
        return analytics.funnel(auth.require(authorization), types, window, from, to);
    }
}

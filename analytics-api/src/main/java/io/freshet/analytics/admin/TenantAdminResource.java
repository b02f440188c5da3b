package io.freshet.analytics.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.analytics.endpoint.ApiException;
import io.freshet.eventmodel.http.ApiError;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.InvalidRulesException;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.tenant.TenantRules;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Tenant administration (admin token required, see {@link AdminAuthFilter}). */
@Path("/v1/admin/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class TenantAdminResource {

    private static final Logger LOG = Logger.getLogger(TenantAdminResource.class);

    public record CreateTenant(String id, String name) {
    }

    /** The only time a key is shown: it is stored hashed. */
    public record TenantKey(String id, String apiKey) {
    }

    /** {@code eventsPerSecond}: the tenant's ingest rate; 0 means the gateway's default. */
    public record Limits(Long eventsPerSecond) {
    }

    public record TenantView(String id, String name, long rateLimitPerSecond, int rulesVersion, Instant createdAt,
                             Instant updatedAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.name(), t.rateLimitPerSecond(), t.rulesVersion(), t.createdAt(), t.updatedAt());
        }
    }

    private final TenantRegistry registry;
    private final TenantStore store;

    public TenantAdminResource(TenantRegistry registry, TenantStore store) {
        this.registry = registry;
        this.store = store;
    }

    @POST
    public Response create(CreateTenant request) {
        if (request == null || request.id() == null || !Tenant.ID_PATTERN.matcher(request.id()).matches()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_tenant_id",
                    "'id' must match " + Tenant.ID_PATTERN.pattern() + " (lowercase letters, digits, '-'; 2 to 63 characters)");
        }
        String name = request.name() == null || request.name().isBlank() ? request.id() : request.name().strip();
        if (name.length() > 200) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_name", "'name' must be at most 200 characters");
        }
        if (registry.find(request.id()).isPresent()) {
            throw new ApiException(Status.CONFLICT, "tenant_exists", "Tenant '" + request.id() + "' already exists");
        }
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        store.save(new Tenant(request.id(), name, ApiKeys.hash(apiKey), 0, null, 0, now, now));
        LOG.infof("Created tenant %s", request.id());
        return Response.status(Status.CREATED).entity(new TenantKey(request.id(), apiKey)).build();
    }

    @GET
    public List<TenantView> list() {
        return registry.all().stream().sorted(Comparator.comparing(Tenant::id)).map(TenantView::of).toList();
    }

    /** Issues a new key; the old one stops working as soon as this returns. */
    @POST
    @Path("/{id}/keys")
    public TenantKey rotateKey(@PathParam("id") String id) {
        Tenant tenant = existing(id);
        String apiKey = ApiKeys.generate();
        store.save(tenant.withApiKeyHash(ApiKeys.hash(apiKey), Instant.now()));
        LOG.infof("Rotated the API key of tenant %s", id);
        return new TenantKey(id, apiKey);
    }

    @PUT
    @Path("/{id}/rules")
    public TenantView setRules(@PathParam("id") String id, JsonNode rules) {
        Tenant tenant = existing(id);
        if (rules == null || rules.isNull()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_rules", "Rules must be a JSON object ({} for none)");
        }
        try {
            TenantRules.of(rules); // refused now, with the reason, rather than met by the enricher on every event
        } catch (InvalidRulesException e) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_rules", e.getMessage());
        }
        Tenant updated = tenant.withRules(rules, Instant.now());
        store.save(updated);
        return TenantView.of(updated);
    }

    @PUT
    @Path("/{id}/limits")
    public TenantView setLimits(@PathParam("id") String id, Limits limits) {
        Tenant tenant = existing(id);
        if (limits == null || limits.eventsPerSecond() == null || limits.eventsPerSecond() < 0
                || limits.eventsPerSecond() > 10_000_000) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_limits",
                    "'eventsPerSecond' must be between 0 (the default) and 10000000");
        }
        Tenant updated = tenant.withRateLimit(limits.eventsPerSecond(), Instant.now());
        store.save(updated);
        return TenantView.of(updated);
    }

    private Tenant existing(String id) {
        return registry.find(id).orElseThrow(() ->
                new ApiException(Status.NOT_FOUND, "tenant_not_found", "No tenant '" + id + "'"));
    }

    @ServerExceptionMapper
    public Response unavailable(TenantStoreUnavailableException e) {
        return Response.status(Status.SERVICE_UNAVAILABLE).header("Retry-After", 1).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of("tenant_store_unavailable", e.getMessage())).build();
    }
}

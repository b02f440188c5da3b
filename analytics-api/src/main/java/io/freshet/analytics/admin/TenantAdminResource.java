package io.freshet.analytics.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.InvalidRulesException;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantApiKey;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.tenant.TenantRules;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Tenant administration (admin token required, see {@link io.freshet.eventmodel.http.AdminAuthFilter}). */
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

    public record CreateKey(List<String> scopes, String name) {
    }

    /** A scoped key as created or rotated: the only time its secret is shown. */
    public record IssuedKey(String id, String name, String apiKey, Set<KeyScope> scopes) {
        static IssuedKey of(TenantApiKey key, String apiKey) {
            return new IssuedKey(key.id(), key.name(), apiKey, key.scopes());
        }
    }

    /** A key as listed: never its secret. */
    public record KeyView(String id, String name, Set<KeyScope> scopes, Instant createdAt) {
        static KeyView of(TenantApiKey key) {
            return new KeyView(key.id(), key.name(), key.scopes(), key.createdAt());
        }
    }

    public record Origins(List<String> origins) {
    }

    /** {@code eventsPerSecond}: the tenant's ingest rate; 0 means the gateway's default. */
    public record Limits(Long eventsPerSecond) {
    }

    public record TenantView(String id, String name, long rateLimitPerSecond, int rulesVersion, List<String> allowedOrigins,
                             Instant createdAt, Instant updatedAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.name(), t.rateLimitPerSecond(), t.rulesVersion(), t.allowedOrigins(),
                    t.createdAt(), t.updatedAt());
        }
    }

    static final int MAX_KEYS = 50;
    static final int MAX_ORIGINS = 50;
    /** scheme://host[:port], as a browser sends it in Origin: no path, no trailing slash, no wildcard. */
    static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    private final TenantRegistry registry;
    private final TenantStore store;

    public TenantAdminResource(TenantRegistry registry, TenantStore store) {
        this.registry = registry;
        this.store = store;
    }

    @POST
    public Response create(CreateTenant request) {
        if (request == null || request.id() == null || !Tenant.ID_PATTERN.matcher(request.id()).matches()) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_tenant_id",
                    "'id' must match " + Tenant.ID_PATTERN.pattern() + " (lowercase letters, digits, '-'; 2 to 63 characters)");
        }
        String name = request.name() == null || request.name().isBlank() ? request.id() : request.name().strip();
        if (name.length() > 200) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_name", "'name' must be at most 200 characters");
        }
        if (registry.find(request.id()).isPresent()) {
            throw new AnalyticsException(Status.CONFLICT, "tenant_exists", "Tenant '" + request.id() + "' already exists");
        }
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        store.save(Tenant.create(request.id(), name, ApiKeys.hash(apiKey), now));
        LOG.infof("Created tenant %s", request.id());
        return Response.status(Status.CREATED).entity(new TenantKey(request.id(), apiKey)).build();
    }

    @GET
    public List<TenantView> list() {
        return registry.all().stream().sorted(Comparator.comparing(Tenant::id)).map(TenantView::of).toList();
    }

    @GET
    @Path("/{id}")
    public TenantView get(@PathParam("id") String id) {
        return TenantView.of(store.existing(id));
    }

    /** Issues a new read+write default key; the old one stops working as soon as this returns. */
    @POST
    @Path("/{id}/keys")
    public TenantKey rotateKey(@PathParam("id") String id) {
        Tenant tenant = store.existing(id);
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        store.save(tenant.withKey(Tenant.defaultKey(ApiKeys.hash(apiKey), now), now));
        LOG.infof("Rotated the default API key of tenant %s", id);
        return new TenantKey(id, apiKey);
    }

    @POST
    @Path("/{id}/api-keys")
    public Response createKey(@PathParam("id") String id, CreateKey request) {
        Tenant tenant = store.existing(id);
        Set<KeyScope> scopes = scopes(request == null ? null : request.scopes());
        String name = request.name() == null || request.name().isBlank() ? String.join("+", request.scopes())
                : request.name().strip();
        if (name.length() > 100) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_name", "'name' must be at most 100 characters");
        }
        if (tenant.keys().size() >= MAX_KEYS) {
            throw new AnalyticsException(Status.CONFLICT, "too_many_keys", "A tenant may have at most " + MAX_KEYS
                    + " keys; revoke one first");
        }
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        TenantApiKey key = TenantApiKey.issue(ApiKeys.newId(), name, apiKey, scopes, now);
        store.save(tenant.withKey(key, now));
        LOG.infof("Created key %s (%s) of tenant %s", key.id(), scopes, id);
        return Response.status(Status.CREATED).entity(IssuedKey.of(key, apiKey)).build();
    }

    @GET
    @Path("/{id}/api-keys")
    public List<KeyView> listKeys(@PathParam("id") String id) {
        return store.existing(id).keys().stream().map(KeyView::of).toList();
    }

    /** A new secret for the key, same id and scopes; the old secret stops working as soon as this returns. */
    @POST
    @Path("/{id}/api-keys/{keyId}/rotate")
    public IssuedKey rotateScopedKey(@PathParam("id") String id, @PathParam("keyId") String keyId) {
        Tenant tenant = store.existing(id);
        TenantApiKey key = existingKey(tenant, keyId);
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        TenantApiKey rotated = key.withSecret(apiKey, now);
        store.save(tenant.withKey(rotated, now));
        LOG.infof("Rotated key %s of tenant %s", keyId, id);
        return IssuedKey.of(rotated, apiKey);
    }

    @DELETE
    @Path("/{id}/api-keys/{keyId}")
    public Response revokeKey(@PathParam("id") String id, @PathParam("keyId") String keyId) {
        Tenant tenant = store.existing(id);
        existingKey(tenant, keyId);
        store.save(tenant.withoutKey(keyId, Instant.now()));
        LOG.infof("Revoked key %s of tenant %s", keyId, id);
        return Response.noContent().build();
    }

    /** The web origins whose pages may use the tenant's keys (CORS); replaces the list. */
    @PUT
    @Path("/{id}/origins")
    public TenantView setOrigins(@PathParam("id") String id, Origins request) {
        Tenant tenant = store.existing(id);
        if (request == null || request.origins() == null || request.origins().size() > MAX_ORIGINS
                || !request.origins().stream().allMatch(o -> o != null && ORIGIN.matcher(o).matches())) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_origins", "'origins' must be a list of at most "
                    + MAX_ORIGINS + " origins such as \"https://app.example.com\" or \"http://localhost:3000\" "
                    + "(scheme, host and port only; no '*')");
        }
        Tenant updated = tenant.withAllowedOrigins(request.origins().stream().distinct().toList(), Instant.now());
        store.save(updated);
        return TenantView.of(updated);
    }

    private static Set<KeyScope> scopes(List<String> names) {
        if (names == null || names.isEmpty() || names.stream().anyMatch(n -> KeyScope.parse(n).isEmpty())) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_scopes",
                    "'scopes' must list \"read\", \"write\" or both: write sends events, read asks the analytics API");
        }
        return names.stream().map(n -> KeyScope.parse(n).orElseThrow()).collect(Collectors.toUnmodifiableSet());
    }

    private static TenantApiKey existingKey(Tenant tenant, String keyId) {
        return tenant.keys().stream().filter(k -> k.id().equals(keyId)).findFirst().orElseThrow(() ->
                new AnalyticsException(Status.NOT_FOUND, "key_not_found", "Tenant '" + tenant.id() + "' has no key '" + keyId + "'"));
    }

    @PUT
    @Path("/{id}/rules")
    public TenantView setRules(@PathParam("id") String id, JsonNode rules) {
        Tenant tenant = store.existing(id);
        if (rules == null || rules.isNull()) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_rules", "Rules must be a JSON object ({} for none)");
        }
        try {
            TenantRules.of(rules); // refused now, with the reason, rather than met by the enricher on every event
        } catch (InvalidRulesException e) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_rules", e.getMessage());
        }
        Tenant updated = tenant.withRules(rules, Instant.now());
        store.save(updated);
        return TenantView.of(updated);
    }

    @PUT
    @Path("/{id}/limits")
    public TenantView setLimits(@PathParam("id") String id, Limits limits) {
        Tenant tenant = store.existing(id);
        if (limits == null || limits.eventsPerSecond() == null || limits.eventsPerSecond() < 0
                || limits.eventsPerSecond() > 10_000_000) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_limits",
                    "'eventsPerSecond' must be between 0 (the default) and 10000000");
        }
        Tenant updated = tenant.withRateLimit(limits.eventsPerSecond(), Instant.now());
        store.save(updated);
        return TenantView.of(updated);
    }
}

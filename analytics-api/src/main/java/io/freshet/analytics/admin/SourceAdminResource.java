package io.freshet.analytics.admin;

import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantApiKey;
import io.freshet.eventmodel.topic.MqttTopics;
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
import java.util.List;
import java.util.Optional;

/**
 * A tenant's sources besides HTTP, which the sources service reads (admin token required, see {@link io.freshet.eventmodel.http.AdminAuthFilter}):
 * its MQTT user and its databases' changes.
 */
@Path("/v1/admin/tenants/{id}/sources")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class SourceAdminResource {

    private static final Logger LOG = Logger.getLogger(SourceAdminResource.class);
    static final String MQTT_KEY_NAME = "mqtt";
    static final int MAX_DATABASES = 20;

    /** The tenant's MQTT login, shown once: the password is a new write key, stored hashed. */
    public record MqttCredentials(String username, String password, String keyId, String topicPrefix) {
    }

    public record MqttView(boolean enabled, String username, String keyId, String topicPrefix) {
        static MqttView of(Tenant tenant) {
            return tenant.mqttKey().map(key -> new MqttView(true, tenant.id(), key.id(), MqttTopics.prefixOf(tenant.id())))
                    .orElse(new MqttView(false, null, null, null));
        }
    }

    /** A database source as set by the admin: {@code tables} as {@code schema.table}. */
    public record DatabaseRequest(String host, Integer port, String database, String user, String password,
                                  List<String> tables, Boolean snapshot) {
    }

    /** A database source as shown: never its password. */
    public record DatabaseView(String name, String host, int port, String database, String user, List<String> tables,
                               boolean snapshot, String slot, Instant createdAt) {
        static DatabaseView of(Tenant tenant, DatabaseSource source) {
            return new DatabaseView(source.name(), source.host(), source.port(), source.database(), source.user(),
                    source.tables(), source.snapshot(), source.slotName(tenant.id()), source.createdAt());
        }
    }

    public record SourcesView(MqttView mqtt, List<DatabaseView> databases) {
    }

    private final TenantStore store;
    private final DatabaseSourceChecks checks;

    public SourceAdminResource(TenantStore store, DatabaseSourceChecks checks) {
        this.store = store;
        this.checks = checks;
    }

    @GET
    public SourcesView list(@PathParam("id") String id) {
        Tenant tenant = store.existing(id);
        return new SourcesView(MqttView.of(tenant),
                tenant.databases().stream().map(source -> DatabaseView.of(tenant, source)).toList());
    }

    /** Turns MQTT on for the tenant with a new login; a previous MQTT login stops working. */
    @POST
    @Path("/mqtt")
    public Response enableMqtt(@PathParam("id") String id) {
        Tenant tenant = store.existing(id);
        String apiKey = ApiKeys.generate();
        Instant now = Instant.now();
        Tenant withoutOld = tenant.mqttKey().map(old -> tenant.withoutKey(old.id(), now)).orElse(tenant);
        TenantApiKey key = TenantApiKey.issueForMqtt(ApiKeys.newId(), MQTT_KEY_NAME, apiKey, now);
        store.save(withoutOld.withKey(key, now));
        LOG.infof("MQTT on for tenant %s (key %s)", id, key.id());
        return Response.status(Status.CREATED)
                .entity(new MqttCredentials(id, apiKey, key.id(), MqttTopics.prefixOf(tenant.id()))).build();
    }

    @DELETE
    @Path("/mqtt")
    public Response disableMqtt(@PathParam("id") String id) {
        Tenant tenant = store.existing(id);
        TenantApiKey key = tenant.mqttKey().orElseThrow(() -> new AnalyticsException(Status.NOT_FOUND, "source_not_found",
                "Tenant '" + id + "' has no MQTT login"));
        store.save(tenant.withoutKey(key.id(), Instant.now()));
        LOG.infof("MQTT off for tenant %s", id);
        return Response.noContent().build();
    }

    /** Adds or replaces the database source of this name; its engine restarts with the new settings. */
    @PUT
    @Path("/databases/{name}")
    public Response putDatabase(@PathParam("id") String id, @PathParam("name") String name, DatabaseRequest request) {
        Tenant tenant = store.existing(id);
        if (!DatabaseSource.NAME_PATTERN.matcher(name).matches()) {
            throw DatabaseSourceChecks.invalid("the source's name must match " + DatabaseSource.NAME_PATTERN.pattern());
        }
        Optional<DatabaseSource> existing = tenant.databases().stream().filter(d -> d.name().equals(name)).findFirst();
        if (existing.isEmpty() && tenant.databases().size() >= MAX_DATABASES) {
            throw DatabaseSourceChecks.invalid("a tenant has at most " + MAX_DATABASES + " database sources");
        }
        // a replaced source keeps its slot: it holds the changes not yet read
        String slot = existing.map(d -> d.slotName(id)).orElseGet(() -> DatabaseSource.newSlotName(id, name));
        Instant now = Instant.now();
        DatabaseSource source = checks.checked(name, request, slot, now);
        store.save(tenant.withDatabase(source, now));
        LOG.infof("Database source %s of tenant %s set: %s:%d/%s, tables %s, slot %s", name, id, source.host(), source.port(),
                source.database(), source.tables(), slot);
        return Response.status(existing.isPresent() ? Status.OK : Status.CREATED).entity(DatabaseView.of(tenant, source)).build();
    }

    @DELETE
    @Path("/databases/{name}")
    public Response deleteDatabase(@PathParam("id") String id, @PathParam("name") String name) {
        Tenant tenant = store.existing(id);
        if (tenant.databases().stream().noneMatch(d -> d.name().equals(name))) {
            throw new AnalyticsException(Status.NOT_FOUND, "source_not_found", "Tenant '" + id + "' has no database source '" + name + "'");
        }
        store.save(tenant.withoutDatabase(name, Instant.now()));
        LOG.infof("Database source %s of tenant %s deleted", name, id);
        return Response.noContent().build();
    }
}

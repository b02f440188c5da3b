package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tenant as stored (JSON, keyed by id) in the compacted topic freshet.tenants. API keys are never stored, only
 * their SHA-256 hashes; a null record value (tombstone) deletes the tenant.
 *
 * @param apiKeyHash         the hash of the one read+write key of a tenant stored before keys had scopes; it counts
 *                           as the key {@value #DEFAULT_KEY_ID} until that key is next rotated or revoked
 * @param rateLimitPerSecond events per second the tenant may send; 0 means the service default
 * @param rules              transformation and validation rules (shape owned by the enricher)
 * @param rulesVersion       incremented on every rules change, recorded on each enriched event
 * @param apiKeys            the tenant's keys with their scopes
 * @param allowedOrigins     the web origins (scheme://host[:port]) whose pages may call Freshet with this tenant's keys
 * @param databases          the tenant's databases whose changes become events (the sources service)
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tenant(String id, String name, String apiKeyHash, long rateLimitPerSecond,
                     JsonNode rules, int rulesVersion, Instant createdAt, Instant updatedAt,
                     List<TenantApiKey> apiKeys, List<String> allowedOrigins, List<DatabaseSource> databases) {

    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    /** The key made with the tenant and replaced by a rotation: read and write. */
    public static final String DEFAULT_KEY_ID = "default";

    public Tenant {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        databases = databases == null ? List.of() : List.copyOf(databases);
    }

    /** A new tenant whose only key is the read+write default key with this hash. */
    public static Tenant create(String id, String name, String defaultKeyHash, Instant at) {
        return new Tenant(id, name, null, 0, null, 0, at, at, List.of(defaultKey(defaultKeyHash, at)), List.of(), List.of());
    }

    public static TenantApiKey defaultKey(String hash, Instant at) {
        return new TenantApiKey(DEFAULT_KEY_ID, DEFAULT_KEY_ID, hash, EnumSet.allOf(KeyScope.class), at, null);
    }

    /** Every key that works, the legacy one included. */
    public List<TenantApiKey> keys() {
        if (apiKeyHash == null) {
            return apiKeys;
        }
        List<TenantApiKey> all = new ArrayList<>(apiKeys);
        all.addFirst(defaultKey(apiKeyHash, createdAt));
        return all;
    }

    /** This key added, or put in place of the key with its id (a rotation). */
    public Tenant withKey(TenantApiKey key, Instant at) {
        List<TenantApiKey> kept = new ArrayList<>(keys().stream().filter(k -> !k.id().equals(key.id())).toList());
        kept.add(key);
        return new Tenant(id, name, null, rateLimitPerSecond, rules, rulesVersion, createdAt, at, kept, allowedOrigins, databases);
    }

    public Tenant withoutKey(String keyId, Instant at) {
        List<TenantApiKey> kept = keys().stream().filter(k -> !k.id().equals(keyId)).toList();
        return new Tenant(id, name, null, rateLimitPerSecond, rules, rulesVersion, createdAt, at, kept, allowedOrigins, databases);
    }

    /** New rules under the next rules version. */
    public Tenant withRules(JsonNode newRules, Instant at) {
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, newRules, rulesVersion + 1, createdAt, at, apiKeys,
                allowedOrigins, databases);
    }

    public Tenant withRateLimit(long perSecond, Instant at) {
        return new Tenant(id, name, apiKeyHash, perSecond, rules, rulesVersion, createdAt, at, apiKeys, allowedOrigins, databases);
    }

    public Tenant withAllowedOrigins(List<String> origins, Instant at) {
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, rules, rulesVersion, createdAt, at, apiKeys, origins, databases);
    }

    /** This database source added, or put in place of the one of its name. */
    public Tenant withDatabase(DatabaseSource database, Instant at) {
        List<DatabaseSource> kept = new ArrayList<>(databases.stream().filter(d -> !d.name().equals(database.name())).toList());
        kept.add(database);
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, rules, rulesVersion, createdAt, at, apiKeys, allowedOrigins, kept);
    }

    /** These database sources in place of its own (the same ones, changed: e.g. their passwords encrypted). */
    public Tenant withDatabases(List<DatabaseSource> sources, Instant at) {
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, rules, rulesVersion, createdAt, at, apiKeys, allowedOrigins, sources);
    }

    public Tenant withoutDatabase(String sourceName, Instant at) {
        List<DatabaseSource> kept = databases.stream().filter(d -> !d.name().equals(sourceName)).toList();
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, rules, rulesVersion, createdAt, at, apiKeys, allowedOrigins, kept);
    }

    /** The key whose secret is the password of the tenant's MQTT user, if MQTT is on for the tenant. */
    public Optional<TenantApiKey> mqttKey() {
        return apiKeys.stream().filter(TenantApiKey::isMqttKey).findFirst();
    }

    public boolean allowsOrigin(String origin) {
        return allowedOrigins.contains(origin);
    }
}

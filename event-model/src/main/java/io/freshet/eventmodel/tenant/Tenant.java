package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A tenant as stored (JSON, keyed by id) in the compacted topic freshet.tenants. The API key itself is
 * never stored, only its SHA-256 hash; a null record value (tombstone) deletes the tenant.
 *
 * @param rateLimitPerSecond events per second the tenant may send; 0 means the service default
 * @param rules              transformation and validation rules (shape owned by the enricher)
 * @param rulesVersion       incremented on every rules change, recorded on each enriched event
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tenant(String id, String name, String apiKeyHash, long rateLimitPerSecond,
                     JsonNode rules, int rulesVersion, Instant createdAt, Instant updatedAt) {

    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    public Tenant withApiKeyHash(String hash, Instant at) {
        return new Tenant(id, name, hash, rateLimitPerSecond, rules, rulesVersion, createdAt, at);
    }

    /** New rules under the next rules version. */
    public Tenant withRules(JsonNode newRules, Instant at) {
        return new Tenant(id, name, apiKeyHash, rateLimitPerSecond, newRules, rulesVersion + 1, createdAt, at);
    }

    public Tenant withRateLimit(long perSecond, Instant at) {
        return new Tenant(id, name, apiKeyHash, perSecond, rules, rulesVersion, createdAt, at);
    }
}

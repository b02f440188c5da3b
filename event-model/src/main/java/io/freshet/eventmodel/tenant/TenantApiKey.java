package io.freshet.eventmodel.tenant;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.Set;

/**
 * One of a tenant's scoped API keys, as stored: the key itself only as its SHA-256 hash ({@link ApiKeys}).
 *
 * @param id   stable across rotations; names the key in the admin API (the secret never does)
 * @param name what the tenant calls it, e.g. "web"
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
public record TenantApiKey(String id, String name, String hash, Set<KeyScope> scopes, Instant createdAt) {

    public TenantApiKey {
        scopes = Set.copyOf(scopes);
    }

    public TenantApiKey withHash(String newHash, Instant at) {
        return new TenantApiKey(id, name, newHash, scopes, at);
    }
}

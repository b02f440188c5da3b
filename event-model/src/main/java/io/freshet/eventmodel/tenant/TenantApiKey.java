package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.Set;

/**
 * One of a tenant's scoped API keys, as stored: the key itself only as its SHA-256 hash ({@link ApiKeys}).
 *
 * @param id               stable across rotations; names the key in the admin API (the secret never does)
 * @param name             what the tenant calls it, e.g. "web"
 * @param mqttPasswordHash set on the tenant's MQTT key only: the key hashed for the broker's password file
 *                         ({@link MqttPasswords}), with which the tenant's devices log in
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TenantApiKey(String id, String name, String hash, Set<KeyScope> scopes, Instant createdAt,
                           String mqttPasswordHash) {

    public TenantApiKey {
        scopes = Set.copyOf(scopes);
    }

    public static TenantApiKey issue(String id, String name, String apiKey, Set<KeyScope> scopes, Instant at) {
        return new TenantApiKey(id, name, ApiKeys.hash(apiKey), scopes, at, null);
    }

    /** A write key for the tenant's devices: also the password of its MQTT user. */
    public static TenantApiKey issueForMqtt(String id, String name, String apiKey, Instant at) {
        return new TenantApiKey(id, name, ApiKeys.hash(apiKey), Set.of(KeyScope.WRITE), at, MqttPasswords.hash(apiKey));
    }

    /** The same key with a new secret (a rotation); an MQTT key stays one. */
    public TenantApiKey withSecret(String apiKey, Instant at) {
        return new TenantApiKey(id, name, ApiKeys.hash(apiKey), scopes, at,
                mqttPasswordHash == null ? null : MqttPasswords.hash(apiKey));
    }

    public boolean isMqttKey() {
        return mqttPasswordHash != null;
    }
}

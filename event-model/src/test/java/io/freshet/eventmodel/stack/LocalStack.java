package io.freshet.eventmodel.stack;

import java.net.URI;

/**
 * Where the stack under test runs. `./freshet test` exports these for the *IT tests; the defaults are
 * the local stack's ports, so an IT can also be run from an IDE against `./freshet up`.
 */
public final class LocalStack {

    /** The instance id `./freshet` gives each service it runs (their static Kafka group membership). */
    public static final String INSTANCE_ID = "local";
    /** A service's management port is its own port + this. */
    public static final int MANAGEMENT_PORT_OFFSET = 1000;

    private LocalStack() {
    }

    public static String ingestUrl() {
        return env("INGEST_URL", "http://127.0.0.1:8080");
    }

    public static String enricherUrl() {
        return "http://127.0.0.1:" + env("ENRICHER_PORT", "8081");
    }

    public static String routerUrl() {
        return "http://127.0.0.1:" + env("ROUTER_PORT", "8082");
    }

    public static String analyticsUrl() {
        return env("ANALYTICS_URL", "http://127.0.0.1:8083");
    }

    /**
     * The management interface (health, metrics) of the service at {@code serviceUrl}: its port + 1000, as `./freshet`
     * and {@link ServiceInstance} run them.
     */
    public static String managementUrl(String serviceUrl) {
        URI service = URI.create(serviceUrl);
        return service.getScheme() + "://" + service.getHost() + ":" + (service.getPort() + MANAGEMENT_PORT_OFFSET);
    }

    /** The MQTT broker devices publish to. */
    public static String mqttUrl() {
        return env("MQTT_URL", "tcp://127.0.0.1:1883");
    }

    /** The local PostgreSQL's JDBC URL for a database of it; user freshet, {@link #postgresPassword()}. */
    public static String postgresJdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort() + "/" + database;
    }

    public static int postgresPort() {
        return Integer.parseInt(env("POSTGRES_PORT", "5432"));
    }

    public static String postgresPassword() {
        return secret("postgres-password", "No .freshet/postgres-password: run './freshet up' first");
    }

    public static String kafkaBootstrapServers() {
        return env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    }

    public static String clickHouseUrl() {
        return env("CLICKHOUSE_URL", "http://127.0.0.1:8123");
    }

    public static String registryUrl() {
        return env("REGISTRY_URL", "http://127.0.0.1:8085/apis/registry/v2");
    }

    /** The same registry's Confluent-compatible API, which the Kafka ecosystem's Avro readers ask. */
    public static String confluentRegistryUrl() {
        return registryUrl().replace("/apis/registry/v2", "/apis/ccompat/v7");
    }

    /** The operator token: from the environment, else the one `./freshet up` wrote. */
    public static String adminToken() {
        String token = System.getenv("FRESHET_ADMIN_TOKEN");
        if (token != null && !token.isBlank()) {
            return token;
        }
        return secret("admin-token", "No admin token: set FRESHET_ADMIN_TOKEN or run './freshet up' first");
    }

    /** A secret `./freshet up` wrote under .freshet. */
    private static String secret(String file, String whenMissing) {
        try {
            return java.nio.file.Files.readString(repositoryRoot().resolve(".freshet").resolve(file)).strip();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(whenMissing, e);
        }
    }

    public static java.nio.file.Path repositoryRoot() {
        java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath();
        while (dir != null && !java.nio.file.Files.exists(dir.resolve("freshet"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Run the tests inside the Freshet repository");
        }
        return dir;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

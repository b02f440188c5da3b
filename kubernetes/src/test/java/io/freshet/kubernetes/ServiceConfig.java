package io.freshet.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a Freshet service's configuration reads: its application.properties, event-model's shared properties
 * (META-INF/microprofile-config.properties, read by every service) and the properties its code and event-model's
 * code inject with @ConfigProperty. Any of these properties may also come from the environment under its
 * MicroProfile name (quarkus.http.port: QUARKUS_HTTP_PORT), which outranks the properties files.
 */
record ServiceConfig(String service, String properties, String sources) {

    static final List<String> SERVICES = List.of("ingest-gateway", "enricher", "router", "analytics-api", "sources");

    /** Read by the JVM itself, whatever the image's launcher script: the containers size the heap with it. */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");
    /** Where every service serves health and metrics in a container (Quarkus's management interface). */
    static final int MANAGEMENT_PORT = 9000;
    /**
     * Quarkus gives every kafka.* property and KAFKA_* variable to the service's Kafka clients (its default-kafka-broker
     * settings, which event-model's KafkaConnection passes on): KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config.
     */
    private static final String KAFKA_CLIENT_PREFIX = "KAFKA_";
    /** Settings an extension reads beside one the service sets, that the service's files need not name. */
    private static final Map<String, Set<String>> EXTENSION_SETTINGS = Map.of(
            "quarkus.redis.hosts", Set.of("quarkus.redis.password"));

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern INJECTED = Pattern.compile("@ConfigProperty\\(name = \"([^\"]+)\"");
    private static final Pattern SET = Pattern.compile("(?m)^([a-z][\\w.-]*)=");
    private static final Pattern HTTP_PORT = Pattern.compile("(?m)^quarkus\\.http\\.port=\\$\\{([A-Z_]+):(\\d+)}$");
    private static final Pattern MANAGEMENT_PORT_SETTING = Pattern.compile("(?m)^quarkus\\.management\\.port=\\$\\{([A-Z_]+):(\\d+)}$");

    private static final Map<String, ServiceConfig> CONFIGS = new ConcurrentHashMap<>();

    /** The service's configuration, read once per test run. */
    static ServiceConfig of(String service) {
        return CONFIGS.computeIfAbsent(service, ServiceConfig::load);
    }

    private static ServiceConfig load(String service) {
        Path root = Rendered.ROOT;
        return new ServiceConfig(service,
                read(root.resolve(service).resolve("src/main/resources/application.properties"))
                        + "\n" + read(root.resolve("event-model/src/main/resources/META-INF/microprofile-config.properties")),
                javaSources(root.resolve(service)) + javaSources(root.resolve("event-model")));
    }

    /** The environment variables the service reads: ${NAME} references, and its properties by their environment names. */
    Set<String> variables() {
        Set<String> names = new HashSet<>(JVM_VARIABLES);
        REFERENCE.matcher(properties).results().forEach(m -> names.add(m.group(1)));
        Stream.concat(SET.matcher(properties).results(), INJECTED.matcher(sources).results())
                .forEach(m -> names.add(environmentName(m.group(1))));
        return names;
    }

    /** Whether the service reads this environment variable: {@link #variables()}, its Kafka clients' and its extensions'. */
    boolean reads(String variable) {
        if (variables().contains(variable)) {
            return true;
        }
        if (variable.startsWith(KAFKA_CLIENT_PREFIX) && sets("kafka.bootstrap.servers")) {
            return true;
        }
        return EXTENSION_SETTINGS.entrySet().stream().anyMatch(e -> sets(e.getKey())
                && e.getValue().stream().map(ServiceConfig::environmentName).anyMatch(variable::equals));
    }

    /** Whether its properties set this property. */
    boolean sets(String property) {
        return SET.matcher(properties).results().anyMatch(m -> m.group(1).equals(property));
    }

    /** A property's value as its properties set it, unresolved; null when they do not. */
    String setting(String property) {
        return properties.lines().filter(line -> line.startsWith(property + "="))
                .map(line -> line.substring(property.length() + 1)).findFirst().orElse(null);
    }

    /** Where MicroProfile Config looks for a property in the environment: non-alphanumerics as _, upper case. */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** The variable that sets the HTTP port, e.g. ROUTER_PORT. */
    String portVariable() {
        return httpPort().group(1);
    }

    int defaultPort() {
        return Integer.parseInt(httpPort().group(2));
    }

    /** Whether the service's main code holds this string literal. */
    boolean codeSays(String literal) {
        return sources.contains("\"" + literal + "\"");
    }

    /** The service reads in the consumer group: a channel's {@code group.id} in its properties, or a literal in its code. */
    boolean namesGroup(String group) {
        return properties.lines().anyMatch(line -> line.matches("mp\\.messaging\\.incoming\\.[^.]+\\.group\\.id=" + Pattern.quote(group)))
                || codeSays(group);
    }

    /** The variable that sets the management interface's port (health and metrics), e.g. FRESHET_MANAGEMENT_PORT. */
    String managementPortVariable() {
        if (!"true".equals(setting("quarkus.management.enabled"))) {
            fail(service + " does not enable Quarkus's management interface (quarkus.management.enabled=true)");
        }
        Matcher matcher = MANAGEMENT_PORT_SETTING.matcher(properties);
        if (!matcher.find()) {
            fail(service + "'s configuration has no quarkus.management.port=${VARIABLE:port}");
        }
        return matcher.group(1);
    }

    private Matcher httpPort() {
        Matcher matcher = HTTP_PORT.matcher(properties);
        if (!matcher.find()) {
            fail(service + "'s application.properties has no quarkus.http.port=${VARIABLE:port}");
        }
        return matcher;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaSources(Path module) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            return String.join("\n", files.filter(f -> f.toString().endsWith(".java")).map(ServiceConfig::read).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.freshet.kubernetes.Rendered.ROOT;
import static io.freshet.kubernetes.Rendered.YAML;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container images (src/main/docker) and docker-compose.yml against the services they package: no container
 * engine runs here, so what can drift is checked as text (build arguments, ports, variables, health checks, users,
 * the paths the images copy).
 */
class ContainerImagesTest {

    static final Path JVM = ROOT.resolve("src/main/docker/Dockerfile.jvm");
    static final Path NATIVE = ROOT.resolve("src/main/docker/Dockerfile.native");
    /** docker-compose.yml and the Dockerfiles' instructions, read once. */
    private static final JsonNode COMPOSE = compose();
    private static final List<String> JVM_INSTRUCTIONS = instructions(JVM);
    private static final List<String> NATIVE_INSTRUCTIONS = instructions(NATIVE);
    private static final Map<String, List<String>> INSTRUCTIONS = Map.of(
            "Dockerfile.jvm", JVM_INSTRUCTIONS, "Dockerfile.native", NATIVE_INSTRUCTIONS);
    private static final Pattern HEALTH_PROBE = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\S+) .*GET (/\\S+) HTTP");

    static List<String> services() {
        return ServiceConfig.SERVICES;
    }

    @ParameterizedTest
    @MethodSource("services")
    void composeBuildsTheServiceFromTheJvmImageOnItsPort(String service) {
        JsonNode compose = COMPOSE.path("services").path(service);
        assertFalse(compose.isMissingNode(), "docker-compose.yml has no service " + service);
        JsonNode build = compose.path("build");
        assertEquals("src/main/docker/Dockerfile.jvm", build.path("dockerfile").asText(), service + "'s Dockerfile");
        assertEquals(".", build.path("context").asText(), service + ": the Dockerfiles copy paths from the repository root");
        assertEquals(service, build.at("/args/SERVICE").asText(), service + "'s SERVICE build argument");
        assertTrue(Files.isRegularFile(ROOT.resolve(service).resolve("pom.xml")), "SERVICE=" + service + " is no module");
        assertEquals("freshet/" + service, compose.path("image").asText(), "the image name the Kubernetes manifests run");

        ServiceConfig config = ServiceConfig.of(service);
        int port = config.defaultPort();
        assertEquals(port, build.at("/args/PORT").asInt(), service + "'s PORT must be the port it listens on");
        assertEquals(List.of("127.0.0.1:" + port + ":" + port), texts(compose.path("ports")), service + " is published on its own port, on the loopback");
        String portSetting = environment(compose).get(config.portVariable());
        assertTrue(portSetting == null || portSetting.equals(String.valueOf(port)),
                service + ": the image exposes and probes " + port + ", yet " + config.portVariable() + "=" + portSetting);

        // health on the management interface, whose port no one outside the compose network reaches
        String management = String.valueOf(ServiceConfig.MANAGEMENT_PORT);
        assertEquals(management, environment(compose).get(config.managementPortVariable()), service + "'s management port");
        Matcher probe = HEALTH_PROBE.matcher(String.join(" ", texts(compose.at("/healthcheck/test"))));
        assertTrue(probe.find(), service + " has no HTTP health check");
        assertEquals(management, probe.group(1), service + "'s health check asks another port than the management port");
        assertEquals("/q/health/ready", probe.group(2), service + "'s health check");
    }

    @ParameterizedTest
    @MethodSource("services")
    void composeSetsOnlyVariablesTheServiceReads(String service) {
        ServiceConfig config = ServiceConfig.of(service);
        environment(COMPOSE.path("services").path(service)).keySet().forEach(name ->
                assertTrue(config.reads(name), service + " is given " + name + ", which its configuration never reads"));
    }

    @Test
    void composeSecretsComeFromTheEnvironment() {
        COMPOSE.path("services").properties().forEach(service ->
                environment(service.getValue()).forEach((name, value) -> {
                    if (name.matches(".*(TOKEN|PASSWORD|SECRET|_AUTH$).*")) {
                        assertTrue(value.matches("\\$\\{[A-Z][A-Z0-9_]*:\\?.+}"),
                                service.getKey() + ": " + name + " must come from the environment or .env (${VARIABLE:?...})");
                    }
                }));
    }

    /** Every published port is on the host's loopback: nothing of the stack is meant for other machines. */
    @Test
    void composePublishesOnTheLoopbackOnly() {
        COMPOSE.path("services").properties().forEach(service -> texts(service.getValue().path("ports")).forEach(port ->
                assertTrue(port.startsWith("127.0.0.1:"), service.getKey() + " publishes " + port + " on every address of the host")));
    }

    /** Redis asks for a password (from the environment), which the services that use it give; so does the secrets key. */
    @Test
    void composeEnginesAndServicesShareTheirSecretsFromTheEnvironment() {
        JsonNode services = COMPOSE.path("services");
        JsonNode redis = services.path("redis");
        String command = String.join(" ", texts(redis.path("command")));
        // through redis-server's standard input, not its command line
        assertTrue(command.matches("(?s).*redis-server - .*requirepass \\$\\$REDIS_PASSWORD\\b.*"), "Redis asks for no password: " + command);
        String password = environment(redis).get("REDIS_PASSWORD");
        assertEquals(password, environment(redis).get("REDISCLI_AUTH"), "Redis's health check logs in");
        for (String service : services()) {
            Map<String, String> environment = environment(services.path(service));
            if (ServiceConfig.of(service).sets("quarkus.redis.hosts")) {
                assertEquals(password, environment.get(ServiceDeploymentsTest.REDIS_PASSWORD), service + " uses Redis without its password");
            }
            assertEquals(Set.of("analytics-api", "sources").contains(service), environment.containsKey(ServiceDeploymentsTest.SECRETS_KEY),
                    service + ": only analytics-api and sources hold " + ServiceDeploymentsTest.SECRETS_KEY);
        }
    }

    /**
     * As in the sources pod (SourcesBrokerTest): the service writes the broker's users on a volume the two share, as its
     * own user, and the broker's container reloads them; neither sees the other's processes.
     */
    @Test
    void composeSourcesSharesTheBrokersFilesNotItsProcesses() {
        JsonNode services = COMPOSE.path("services");
        JsonNode sources = services.path("sources");
        Map<String, String> environment = environment(sources);
        String broker = URI.create(environment.get("MQTT_URL")).getHost();
        assertFalse(sources.has("pid"), "sources sees the broker's processes");
        assertFalse(sources.has("user"), "sources runs as another user than its image's (185), maybe the broker's");
        assertFalse(environment.containsKey("FRESHET_MQTT_PID_FILE"), "sources would signal a broker it cannot see");
        String authDir = environment.get("FRESHET_MQTT_AUTH_DIR");
        String volume = volumeAt(sources, authDir);
        assertFalse(volume.startsWith("."), "the broker's users are in a named volume, not in the repository: " + volume);
        assertEquals(volume, volumeAt(services.path(broker), authDir), "sources and " + broker + " mount other volumes at " + authDir);
        // the cluster's reload loop, watching the files the service writes
        assertEquals("./kubernetes/base/services/reload-on-change.sh", volumeAt(services.path(broker), "/mosquitto/config/reload-on-change.sh"));
        String command = String.join(" ", texts(services.path(broker).path("command")));
        assertTrue(command.contains("reload-on-change.sh " + authDir + "/passwords " + authDir + "/acl -- /usr/sbin/mosquitto -c "),
                broker + " runs without its reload loop: " + command);
        // its configuration (compose's own: the cluster's has TLS) reads those files and bounds its queue
        String target = stream(services.path(broker).path("configs")).filter(c -> c.path("target").asText().endsWith("mosquitto.conf"))
                .findFirst().orElseThrow(() -> new AssertionError(broker + " has no mosquitto.conf")).path("source").asText();
        List<String> config = COMPOSE.at("/configs/" + target + "/content").asText().lines().map(String::strip).toList();
        assertTrue(config.contains("password_file " + authDir + "/passwords") && config.contains("acl_file " + authDir + "/acl"),
                broker + "'s configuration reads other files: " + config);
        assertTrue(config.contains("allow_anonymous false"));
        for (String bound : List.of("max_queued_messages", "max_queued_bytes")) {
            assertTrue(config.stream().anyMatch(line -> line.matches(bound + " [1-9][0-9]*")), broker + "'s " + bound + " is unbounded");
        }
    }

    /** The source of a compose service's volume mounted at this path (short syntax: source:target[:mode]). */
    private static String volumeAt(JsonNode service, String target) {
        return stream(service.path("volumes")).map(v -> v.asText().split(":"))
                .filter(v -> v.length >= 2 && v[1].equals(target)).map(v -> v[0]).findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + target + " in " + service));
    }

    @Test
    void composeEndpointsAreComposeServices() {
        JsonNode services = COMPOSE.path("services");
        services.properties().forEach(service -> environment(service.getValue()).forEach((name, value) -> {
            String host;
            if (name.equals("KAFKA_BOOTSTRAP_SERVERS")) {
                host = value.split(":")[0];
                // a listener the broker advertises to other containers
                assertTrue(environment(services.path(host)).getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").contains("//" + value),
                        service.getKey() + ": " + value + " is no listener kafka advertises");
            } else if (name.endsWith("_URL") && !value.startsWith("${")) {
                host = URI.create(value).getHost();
            } else {
                return;
            }
            assertTrue(services.has(host), service.getKey() + ": " + name + "=" + value + " names no compose service");
        }));
        String registry = environment(services.path("enricher")).get("REGISTRY_URL");
        assertTrue(registry.endsWith("/apis/registry/v2"), "the services speak Apicurio's v2 API: " + registry);
    }

    @Test
    void composeWaitsOnlyForServicesThatReportHealth() {
        JsonNode services = COMPOSE.path("services");
        services.properties().forEach(service -> {
            assertTrue(service.getValue().has("healthcheck"), service.getKey() + " has no health check");
            service.getValue().path("depends_on").properties().forEach(dependency -> {
                assertTrue(services.has(dependency.getKey()), service.getKey() + " depends on an unknown " + dependency.getKey());
                assertEquals("service_healthy", dependency.getValue().path("condition").asText(),
                        service.getKey() + " must wait until " + dependency.getKey() + " is healthy");
            });
        });
    }

    @Test
    void composePrometheusScrapesEveryServiceWithTheAlertRules() throws IOException {
        JsonNode prometheus = COMPOSE.path("services").path("prometheus");
        List<String> volumes = texts(prometheus.path("volumes"));
        assertTrue(volumes.contains("./devstack/prometheus/prometheus.compose.yml:/etc/prometheus/prometheus.yml:ro"), volumes.toString());
        assertTrue(volumes.contains("./devstack/prometheus/freshet.rules.yml:/etc/prometheus/freshet.rules.yml:ro"), volumes.toString());

        JsonNode config = YAML.readTree(ROOT.resolve("devstack/prometheus/prometheus.compose.yml").toFile());
        assertEquals(List.of("freshet.rules.yml"), texts(config.path("rule_files")), "the rules, beside the config in the container");
        Map<String, JsonNode> jobs = stream(config.path("scrape_configs"))
                .collect(Collectors.toMap(job -> job.path("job_name").asText(), job -> job));
        // the alert rules select by job: the services' names
        assertEquals(Set.copyOf(services()), jobs.keySet());
        jobs.forEach((service, job) -> {
            assertEquals("/q/metrics", job.path("metrics_path").asText(), service);
            // the metrics are on the management interface only
            assertEquals(List.of(service + ":" + ServiceConfig.MANAGEMENT_PORT),
                    texts(job.at("/static_configs/0/targets")), service + "'s scrape target");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.native"})
    void imagesRunAsAnUnprivilegedUserAndProbeTheirLiveness(String dockerfile) {
        List<String> finalStage = finalStage(INSTRUCTIONS.get(dockerfile));
        List<String> users = finalStage.stream().filter(i -> i.startsWith("USER ")).toList();
        assertFalse(users.isEmpty(), dockerfile + " sets no USER: it would run as its base image's");
        String user = users.getLast().substring("USER ".length()).split(":")[0];
        assertTrue(user.matches("[1-9][0-9]*"), dockerfile + " runs as " + user + ": a numeric, non-root uid");
        assertTrue(finalStage.contains("EXPOSE ${PORT} 9000"), dockerfile + " exposes the port it is built for and "
                + "the management port");
        assertTrue(finalStage.stream().anyMatch(i -> i.startsWith("ENV HEALTH_CHECK_PORT=9000")
                        && i.contains("FRESHET_MANAGEMENT_PORT=9000")),
                dockerfile + ": its health check asks the management port, where health is");
        String healthCheck = finalStage.stream().filter(i -> i.startsWith("HEALTHCHECK ")).findFirst()
                .orElseThrow(() -> new AssertionError(dockerfile + " has no HEALTHCHECK"));
        Matcher probe = HEALTH_PROBE.matcher(healthCheck);
        assertTrue(probe.find(), dockerfile + "'s health check: " + healthCheck);
        assertEquals("$HEALTH_CHECK_PORT", probe.group(1), dockerfile);
        assertEquals("/q/health/live", probe.group(2), dockerfile);
    }

    @ParameterizedTest
    @MethodSource("services")
    void theJvmImageCopiesTheFastJarTheBuildWrites(String service) {
        Path app = ROOT.resolve(service).resolve("target/quarkus-app");
        assertTrue(Files.isDirectory(app), "build " + service + " first (mvn package; mvn verify builds it before this module)");
        List<String> copied = copySources(JVM_INSTRUCTIONS, service);
        assertFalse(copied.isEmpty(), "Dockerfile.jvm copies nothing");
        copied.forEach(source -> assertTrue(Files.exists(ROOT.resolve(source)), "Dockerfile.jvm copies " + source + ", which the build does not write"));
        // the whole fast-jar, nothing left out
        try (var entries = Files.list(app)) {
            entries.map(e -> ROOT.relativize(e).toString())
                    .filter(e -> !e.endsWith(".txt")) // quarkus-app-dependencies.txt: a listing, not needed to run
                    // the AOT cache: recorded by the build's JDK, which the image's JDK build refuses (docs/building.md)
                    .filter(e -> !e.endsWith("/app.aot"))
                    .forEach(e -> assertTrue(copied.stream().anyMatch(c -> stripSlash(c).equals(e)), "Dockerfile.jvm leaves out " + e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("services")
    void theNativeImageCompilesTheNativeSourcesTheBuildWrites(String service) {
        assertEquals(List.of(service + "/target/native-sources/"), copySources(NATIVE_INSTRUCTIONS, service),
                "Dockerfile.native compiles the native build's sources");
        assertTrue(NATIVE_INSTRUCTIONS.stream().anyMatch(i -> i.startsWith("RUN ") && i.contains("native-image") && i.contains("$(cat native-image.args)")),
                "Dockerfile.native runs native-image with the options Quarkus wrote");
        // that the native build writes these sources is checked where it runs: ./freshet test, after mvn verify
    }

    @Test
    void theBuildContextHoldsOnlyWhatTheImagesCopy() throws IOException {
        List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(List.of("*", "!*/target/quarkus-app", "!*/target/native-sources"), patterns,
                ".dockerignore: everything out but what src/main/docker copies");
        List<String> copied = new ArrayList<>(copySources(JVM_INSTRUCTIONS, "SERVICE"));
        copied.addAll(copySources(NATIVE_INSTRUCTIONS, "SERVICE"));
        copied.forEach(source -> assertTrue(
                source.startsWith("SERVICE/target/quarkus-app/") || source.startsWith("SERVICE/target/native-sources/"),
                source + " is outside what .dockerignore lets into the build context"));
    }

    private static JsonNode compose() {
        try {
            return YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> environment(JsonNode service) {
        return service.path("environment").properties().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().asText()));
    }

    private static List<String> texts(JsonNode array) {
        return stream(array).map(JsonNode::asText).toList();
    }

    /** A Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> instructions(Path dockerfile) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                } else {
                    instructions.add(current.append(trimmed).toString().replaceAll("\\s+", " ").strip());
                    current.setLength(0);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(instructions);
    }

    private static List<String> finalStage(List<String> instructions) {
        int from = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                from = i;
            }
        }
        return instructions.subList(from, instructions.size());
    }

    /** The sources of the COPY instructions from the build context (not from a stage), with ${SERVICE} filled in. */
    private static List<String> copySources(List<String> instructions, String service) {
        return instructions.stream().filter(i -> i.startsWith("COPY ") && !i.contains("--from="))
                .map(i -> i.split(" "))
                .map(words -> words[words.length - 2].replace("${SERVICE}", service))
                .toList();
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}

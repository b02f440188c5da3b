package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each service's Deployment (the sources service's StatefulSet) against that service's own configuration (application.properties). */
class ServiceDeploymentsTest {

    static final String SECRETS_KEY = "FRESHET_SECRETS_KEY";
    static final String REDIS_PASSWORD = ServiceConfig.environmentName("quarkus.redis.password");

    static Stream<Arguments> servicesInOverlays() {
        return Stream.of("dev", "production")
                .flatMap(overlay -> ServiceConfig.SERVICES.stream().map(service -> arguments(overlay, service)));
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void probesAskTheHealthEndpointsOnTheManagementPort(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode container = rendered.container(service);
        ServiceConfig config = ServiceConfig.of(service);
        // MicroProfile's order: QUARKUS_HTTP_PORT outranks the service's own variable (e.g. ROUTER_PORT), which outranks its default
        int listensOn = Stream.of(ServiceConfig.environmentName("quarkus.http.port"), config.portVariable())
                .map(variable -> rendered.value(container, variable)).filter(Objects::nonNull)
                .findFirst().map(Integer::parseInt).orElse(config.defaultPort());
        // the images are built for the default port (src/main/docker: PORT)
        assertEquals(config.defaultPort(), listensOn, service + " listens on another port than its default");
        assertEquals(listensOn, port(container, "http").path("containerPort").asInt(), service + "'s container port is not the port it listens on");

        // health and metrics (tenants' labels) on the management interface, a port of its own that only Prometheus reaches
        String variable = config.managementPortVariable();
        assertEquals(String.valueOf(ServiceConfig.MANAGEMENT_PORT), rendered.value(container, variable),
                service + "'s " + variable + ": its management port in a container");
        assertEquals(ServiceConfig.MANAGEMENT_PORT, port(container, "management").path("containerPort").asInt(), service + "'s port management");
        Map<String, String> paths = Map.of("livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/live");
        paths.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals(path, get.path("path").asText(), service + "'s " + probe);
            JsonNode port = get.path("port");
            assertTrue(port.asText().equals("management") || port.asInt() == ServiceConfig.MANAGEMENT_PORT,
                    service + "'s " + probe + " asks port " + port + ", not the management port");
        });
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void everyVariableSetIsOneTheServiceReads(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        ServiceConfig config = ServiceConfig.of(service);
        rendered.environment(rendered.container(service)).keySet().forEach(name ->
                assertTrue(config.reads(name), overlay + ": " + service + " is given " + name + ", which its configuration never reads"));
    }

    /** The services that encrypt (the admin API) and decrypt (the captures) tenants' database passwords, and no other. */
    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void onlyTheServicesThatUseItHoldTheSecretsKeyFromASecret(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode key = rendered.environment(rendered.container(service)).get(SECRETS_KEY);
        if (Set.of("analytics-api", "sources").contains(service)) {
            assertTrue(key != null && key.at("/valueFrom/secretKeyRef/name").asText().equals("freshet-secrets")
                            && key.at("/valueFrom/secretKeyRef/key").asText().equals("secrets-key"),
                    overlay + ": " + service + " needs " + SECRETS_KEY + " from freshet-secrets' secrets-key");
            assertTrue(ServiceConfig.of(service).reads(SECRETS_KEY), service + " does not read " + SECRETS_KEY);
        } else {
            assertNull(key, overlay + ": " + service + " has no use for " + SECRETS_KEY);
        }
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void redisClientsLogIn(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        if (!ServiceConfig.of(service).sets("quarkus.redis.hosts")) {
            return;
        }
        JsonNode password = rendered.environment(rendered.container(service)).get(REDIS_PASSWORD);
        assertNotNull(password, overlay + ": " + service + " uses Redis without its password (" + REDIS_PASSWORD + ")");
        assertEquals(WiringTest.redisPassword(rendered).toString(), password.at("/valueFrom/secretKeyRef").toString(),
                overlay + ": " + service + "'s Redis password is not the one Redis asks for");
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void eachPodHasItsOwnIdentityAndListensOnItsAddress(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode container = rendered.container(service);
        Map<String, JsonNode> environment = rendered.environment(container);
        if (ServiceConfig.of(service).variables().contains("FRESHET_INSTANCE_ID")) {
            // a static group member id and a transactional id: two live pods must never share one
            JsonNode instanceId = environment.get("FRESHET_INSTANCE_ID");
            assertTrue(instanceId != null && instanceId.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name"),
                    service + ": FRESHET_INSTANCE_ID must be the pod's name (downward API)");
        }
        assertEquals("0.0.0.0", rendered.value(container, "FRESHET_BIND_HOST"), service + " must listen on the pod's address");
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void imageIsTheServicesAndItsWritablePathsAreVolumes(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode container = rendered.container(service);
        String image = container.path("image").asText();
        assertTrue(image.matches("([^:]+/)?freshet/" + service + ":[^:/]+"), service + " runs image " + image);
        var mounts = stream(container.path("volumeMounts")).map(m -> m.path("mountPath").asText()).toList();
        assertTrue(mounts.contains("/tmp"), service + " needs a writable /tmp (the root file system is read-only)");
        String stateDir = rendered.value(container, "FRESHET_STATE_DIR");
        if (stateDir != null) {
            assertTrue(mounts.contains(stateDir), service + "'s FRESHET_STATE_DIR " + stateDir + " is not a volume");
        }
    }

    static JsonNode port(JsonNode container, String name) {
        return stream(container.path("ports")).filter(p -> p.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.path("name").asText() + " has no container port named " + name));
    }
}

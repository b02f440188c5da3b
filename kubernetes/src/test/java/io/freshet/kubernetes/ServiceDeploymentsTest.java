package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each service's Deployment (the sources service's StatefulSet) against that service's own configuration (application.properties). */
class ServiceDeploymentsTest {

    static Stream<Arguments> servicesInOverlays() {
        return Stream.of("dev", "production")
                .flatMap(overlay -> ServiceConfig.SERVICES.stream().map(service -> arguments(overlay, service)));
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void probesAskTheHealthEndpointsOnThePortTheServiceListensOn(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode container = rendered.container(service);
        ServiceConfig config = ServiceConfig.of(service);
        // MicroProfile's order: QUARKUS_HTTP_PORT outranks the service's own variable (e.g. ROUTER_PORT), which outranks its default
        int listensOn = Stream.of(ServiceConfig.environmentName("quarkus.http.port"), config.portVariable())
                .map(variable -> rendered.value(container, variable)).filter(Objects::nonNull)
                .findFirst().map(Integer::parseInt).orElse(config.defaultPort());
        // the images are built for the default port (src/main/docker: PORT, their health check's)
        assertEquals(config.defaultPort(), listensOn, service + " listens on another port than its default");
        JsonNode http = stream(container.path("ports")).filter(p -> p.path("name").asText().equals("http")).findFirst()
                .orElseThrow(() -> new AssertionError(service + " has no container port named http"));
        assertEquals(listensOn, http.path("containerPort").asInt(), service + "'s container port is not the port it listens on");

        Map<String, String> paths = Map.of("livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/live");
        paths.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals(path, get.path("path").asText(), service + "'s " + probe);
            JsonNode port = get.path("port");
            assertTrue(port.asText().equals("http") || port.asInt() == listensOn, service + "'s " + probe + " asks port " + port);
        });
    }

    @ParameterizedTest
    @MethodSource("servicesInOverlays")
    void everyVariableSetIsOneTheServiceReads(String overlay, String service) {
        Rendered rendered = Rendered.of(overlay);
        var reads = ServiceConfig.of(service).variables();
        rendered.environment(rendered.container(service)).keySet().forEach(name ->
                assertTrue(reads.contains(name), overlay + ": " + service + " is given " + name + ", which its configuration never reads"));
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
}

package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.stream.Collectors;

import static io.freshet.kubernetes.Rendered.allContainers;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every rendered object and every pod must have, whatever it runs. */
class ManifestsTest {

    /** The keys of the Secret freshet-secrets, which kubernetes/create-secrets.sh makes. */
    static final Set<String> FRESHET_SECRETS_KEYS =
            Set.of("admin-token", "clickhouse-user", "clickhouse-password", "clickhouse-analytics-password", "mqtt-password",
                    "redis-password", "secrets-key");

    @ParameterizedTest
    @CsvSource({"dev, freshet-dev", "production, freshet"})
    void everyObjectIsNamedAndInTheOverlaysNamespace(String overlay, String namespace) {
        Rendered rendered = Rendered.of(overlay);
        assertEquals(namespace, rendered.namespace());
        for (JsonNode object : rendered.objects()) {
            String what = overlay + ": " + object.path("kind").asText() + " " + name(object);
            assertFalse(object.path("apiVersion").asText().isEmpty(), what + " has no apiVersion");
            assertFalse(object.path("kind").asText().isEmpty(), what + " has no kind");
            assertFalse(name(object).isEmpty(), what + " has no name");
            if (!object.path("kind").asText().equals("Namespace")) {
                assertEquals(namespace, object.path("metadata").path("namespace").asText(), what + " is in the wrong namespace");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyPodIsBoundedProbedAndUnprivileged(String overlay) {
        Rendered.of(overlay).workloads().forEach(workload -> {
            JsonNode pod = podSpec(workload);
            String what = overlay + ": " + workload.path("kind").asText() + " " + name(workload);
            // a Service named like a port variable (enricher -> ENRICHER_PORT=tcp://...) would change the port
            assertEquals("false", pod.path("enableServiceLinks").asText(), what + " must disable service links");
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), what + " needs no API token");
            stream(pod.path("initContainers")).forEach(init ->
                    assertFalse(init.has("livenessProbe") || init.has("readinessProbe"), what + ": an init container takes no probes"));
            allContainers(workload).forEach(container -> {
                String c = what + ", container " + container.path("name").asText();
                JsonNode resources = container.path("resources");
                for (String field : Set.of("requests/cpu", "requests/memory", "limits/memory")) {
                    assertFalse(resources.at("/" + field).asText().isEmpty(), c + " has no resources." + field.replace('/', '.'));
                }
                boolean init = stream(pod.path("initContainers")).anyMatch(i -> i == container);
                assertTrue(init || container.has("livenessProbe") && container.has("readinessProbe"), c + " needs liveness and readiness probes");
                assertTrue(container.path("securityContext").path("runAsNonRoot").asBoolean()
                        || pod.path("securityContext").path("runAsNonRoot").asBoolean(), c + " must run as non-root");
                JsonNode security = container.path("securityContext");
                assertEquals("false", security.path("allowPrivilegeEscalation").asText(), c + " must not escalate privileges");
                assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), c + " must have a read-only root file system");
                assertEquals("[\"ALL\"]", security.path("capabilities").path("drop").toString(), c + " must drop all capabilities");
                String image = container.path("image").asText();
                assertTrue(image.matches(".+:[^:/]+") && !image.endsWith(":latest"), c + " needs a pinned image tag: " + image);
            });
        });
    }

    /**
     * No overlay carries a Secret, not even a dev one (a dev cluster is often shared, or reachable): the operator makes
     * freshet-secrets and mqtt-tls (kubernetes/create-secrets.sh), Strimzi makes the KafkaUsers' and its CA's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void secretsAreReferencedNeverShipped(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        assertEquals(0, rendered.ofKind("Secret").count(), overlay + " must not carry a Secret");
        Set<String> kafkaUsers = rendered.ofKind("KafkaUser").map(Rendered::name).collect(Collectors.toSet());
        String clusterCa = name(rendered.only("Kafka")) + "-cluster-ca-cert";
        var envReferences = rendered.workloads()
                .flatMap(Rendered::allContainers)
                .flatMap(c -> stream(c.path("env")))
                .map(e -> e.path("valueFrom").path("secretKeyRef"))
                .filter(ref -> !ref.isMissingNode()).toList();
        assertFalse(envReferences.isEmpty());
        envReferences.forEach(ref -> assertTrue(ref.path("name").asText().equals("freshet-secrets")
                        || kafkaUsers.contains(ref.path("name").asText()) && ref.path("key").asText().equals("sasl.jaas.config"),
                overlay + ": a variable from an unknown Secret: " + ref));
        rendered.workloads().flatMap(w -> stream(podSpec(w).path("volumes"))).map(v -> v.path("secret").path("secretName"))
                .filter(JsonNode::isTextual).map(JsonNode::asText)
                .forEach(secret -> assertTrue(Set.of(clusterCa, "mqtt-tls").contains(secret), overlay + ": a volume of an unknown Secret " + secret));
        // what the manifests read of freshet-secrets is what create-secrets.sh makes (optional keys aside)
        envReferences.stream().filter(ref -> ref.path("name").asText().equals("freshet-secrets") && !ref.path("optional").asBoolean())
                .forEach(ref -> assertTrue(FRESHET_SECRETS_KEYS.contains(ref.path("key").asText()),
                        overlay + ": freshet-secrets' " + ref.path("key").asText() + " is made by nobody (kubernetes/create-secrets.sh)"));
    }

    @Test
    void createSecretsMakesEveryKeyOfFreshetSecrets() throws IOException {
        String script = Files.readString(Rendered.MODULE.resolve("create-secrets.sh"));
        // each key is a file of that name, written with >
        FRESHET_SECRETS_KEYS.forEach(key -> assertTrue(script.matches("(?s).*>" + key + "\\s.*"), "create-secrets.sh makes no " + key));
    }
}

package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static io.freshet.kubernetes.Rendered.allContainers;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every rendered object and every pod must have, whatever it runs. */
class ManifestsTest {

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

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void secretsAreReferencedNeverShipped(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        var references = rendered.workloads()
                .flatMap(Rendered::allContainers)
                .flatMap(c -> stream(c.path("env")))
                .map(e -> e.path("valueFrom").path("secretKeyRef"))
                .filter(ref -> !ref.isMissingNode()).toList();
        assertFalse(references.isEmpty());
        if (overlay.equals("production")) {
            // the operator creates freshet-secrets (docs/kubernetes.md)
            assertEquals(0, rendered.ofKind("Secret").count(), "production must not carry a Secret");
            references.forEach(ref -> assertEquals("freshet-secrets", ref.path("name").asText()));
        } else {
            references.forEach(ref -> assertTrue(
                    rendered.one("Secret", ref.path("name").asText()).path("data").has(ref.path("key").asText()),
                    overlay + "'s Secret lacks " + ref));
        }
    }
}

package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KEDA's ScaledObjects, the gateway's HPA and the disruption budgets, against the workloads and the topics. */
class AutoscalingTest {

    /** The consumer group each stage reads in (the enricher's raw-events channel, SinkLane.LIVE) and the topic it scales on. */
    private static final Map<String, List<String>> GROUP_AND_TOPIC = Map.of(
            "enricher", List.of("freshet-enricher", "freshet.events.raw"),
            "router", List.of("freshet-router", "freshet.events.enriched"));

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void stagesScaleOnTheLagOfTheirRealGroupUpToThePartitions(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        assertEquals(GROUP_AND_TOPIC.keySet(), rendered.ofKind("ScaledObject").map(Rendered::name).collect(Collectors.toSet()));
        GROUP_AND_TOPIC.forEach((service, groupAndTopic) -> {
            JsonNode scaled = rendered.one("ScaledObject", service);
            JsonNode target = scaled.path("spec").path("scaleTargetRef");
            assertEquals("Deployment", target.path("kind").asText("Deployment"));
            rendered.one("Deployment", target.path("name").asText());

            JsonNode trigger = scaled.path("spec").path("triggers").get(0).path("metadata");
            String group = trigger.path("consumerGroup").asText();
            assertEquals(groupAndTopic.getFirst(), group, service + "'s ScaledObject watches another group");
            assertTrue(ServiceConfig.of(service).namesGroup(group), service + " no longer reads in the group " + group);
            assertEquals(groupAndTopic.get(1), trigger.path("topic").asText());

            // KEDA's operator connects from its own namespace: the service's bootstrap address, qualified
            String bootstrap = rendered.value(rendered.container(service), "KAFKA_BOOTSTRAP_SERVERS");
            assertNotNull(bootstrap, service + " has no KAFKA_BOOTSTRAP_SERVERS");
            String[] hostAndPort = bootstrap.split(":");
            assertEquals(hostAndPort[0] + "." + rendered.namespace() + ".svc:" + hostAndPort[1], trigger.path("bootstrapServers").asText());

            int partitions = rendered.one("KafkaTopic", trigger.path("topic").asText()).path("spec").path("partitions").asInt();
            int min = scaled.path("spec").path("minReplicaCount").asInt();
            int max = scaled.path("spec").path("maxReplicaCount").asInt();
            assertTrue(1 <= min && min <= max, service + ": min " + min + ", max " + max);
            assertTrue(max <= partitions, service + " may scale to " + max + " but its topic has " + partitions + " partitions");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theGatewayScalesOnCpu(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode hpa = rendered.one("HorizontalPodAutoscaler", "ingest-gateway");
        assertEquals("autoscaling/v2", hpa.path("apiVersion").asText());
        assertEquals("Deployment", hpa.at("/spec/scaleTargetRef/kind").asText());
        rendered.one("Deployment", hpa.at("/spec/scaleTargetRef/name").asText());
        assertEquals("cpu", hpa.at("/spec/metrics/0/resource/name").asText());
        assertTrue(hpa.at("/spec/minReplicas").asInt() <= hpa.at("/spec/maxReplicas").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void autoscaledDeploymentsLeaveTheirReplicasToTheAutoscaler(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        rendered.workloads().filter(d -> autoscaled(rendered, name(d)))
                // a count here would reset the autoscaler's on every kubectl apply
                .forEach(d -> assertFalse(d.path("spec").has("replicas"), overlay + ": " + name(d) + " sets replicas but is autoscaled"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void disruptionBudgetsCoverOneWorkloadAndStillLetPodsBeEvicted(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        assertFalse(rendered.ofKind("PodDisruptionBudget").toList().isEmpty());
        rendered.ofKind("PodDisruptionBudget").forEach(pdb -> {
            var selected = rendered.workloadsSelectedBy(pdb.path("spec").path("selector"));
            assertEquals(1, selected.size(), overlay + ": PodDisruptionBudget " + name(pdb) + " selects " + selected.size() + " workloads");
            JsonNode spec = pdb.path("spec");
            if (spec.has("minAvailable")) {
                int fewest = fewestReplicas(rendered, name(selected.getFirst()));
                assertTrue(spec.path("minAvailable").asInt() < fewest,
                        overlay + ": " + name(pdb) + " keeps " + spec.path("minAvailable") + " of " + fewest + " pods: a node could never be drained");
            } else {
                assertTrue(spec.path("maxUnavailable").asInt() >= 1, overlay + ": " + name(pdb) + " allows no eviction");
            }
        });
    }

    /** The HorizontalPodAutoscaler, or else the KEDA ScaledObject, that scales a Deployment. */
    private static Optional<JsonNode> autoscalerOf(Rendered rendered, String deployment) {
        return Stream.concat(rendered.ofKind("HorizontalPodAutoscaler"), rendered.ofKind("ScaledObject"))
                .filter(a -> a.at("/spec/scaleTargetRef/name").asText().equals(deployment))
                .findFirst();
    }

    private static boolean autoscaled(Rendered rendered, String deployment) {
        return autoscalerOf(rendered, deployment).isPresent();
    }

    /** The fewest pods a Deployment or StatefulSet runs: its autoscaler's minimum, or its replicas. */
    private static int fewestReplicas(Rendered rendered, String deployment) {
        return autoscalerOf(rendered, deployment)
                .map(a -> a.path("kind").asText().equals("HorizontalPodAutoscaler")
                        ? a.at("/spec/minReplicas").asInt(1) : a.at("/spec/minReplicaCount").asInt(0))
                .orElseGet(() -> rendered.workload(deployment).path("spec").path("replicas").asInt(1));
    }
}

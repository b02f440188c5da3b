package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The objects that {@code kubectl kustomize} renders for an overlay of kubernetes/, rendered once per test run. */
record Rendered(String overlay, List<JsonNode> objects) {

    /** Surefire runs in the module's directory. */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent();
    static final YAMLMapper YAML = new YAMLMapper();

    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet");

    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    static Rendered of(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Rendered::render);
    }

    private static Rendered render(String overlay) {
        Path dir = MODULE.resolve("overlays").resolve(overlay);
        try {
            Path output = Files.createTempFile("kustomize-" + overlay, ".yaml");
            Process kubectl;
            try {
                kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("kubectl 1.27 or newer (its kustomize v5 renders the overlays) is needed to render "
                        + dir + " and is not on the PATH: install it. ./freshet test installs the apt package kubectl, "
                        + "which needs an apt source that has it, such as Kubernetes' pkgs.k8s.io: Debian's archive has no "
                        + "package kubectl, and its kubernetes-client (1.20) is too old", e);
            }
            String errors = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kubectl.waitFor() != 0) {
                fail("kubectl kustomize " + dir + " failed:\n" + errors);
            }
            try (var parser = YAML.createParser(output.toFile())) {
                List<JsonNode> objects = YAML.readValues(parser, JsonNode.class).readAll().stream()
                        .filter(o -> o != null && !o.isEmpty()).toList();
                Files.delete(output);
                return new Rendered(overlay, objects);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot render " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Stream<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind));
    }

    JsonNode one(String kind, String name) {
        return ofKind(kind).filter(o -> name(o).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + " renders no " + kind + " " + name));
    }

    /** The only object of this kind that the overlay renders (e.g. its Kafka cluster). */
    JsonNode only(String kind) {
        List<JsonNode> objects = ofKind(kind).toList();
        if (objects.size() != 1) {
            fail(overlay + " must render exactly one " + kind + ", found " + objects.size());
        }
        return objects.getFirst();
    }

    /** The name of the overlay's Namespace, where every other object goes. */
    String namespace() {
        return name(only("Namespace"));
    }

    /** What runs the pods: Deployments and StatefulSets (the sources service, whose pod keeps its name and volume). */
    Stream<JsonNode> workloads() {
        return objects.stream().filter(o -> WORKLOADS.contains(o.path("kind").asText()));
    }

    /** The Deployment or StatefulSet of this name. */
    JsonNode workload(String name) {
        return workloads().filter(o -> name(o).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + " renders no Deployment or StatefulSet " + name));
    }

    /** The container of a service's workload: the one named like the service (the sources pod also runs its broker). */
    JsonNode container(String service) {
        List<JsonNode> named = stream(podSpec(workload(service)).path("containers"))
                .filter(c -> c.path("name").asText().equals(service)).toList();
        assertEquals(1, named.size(), service + "'s pod must run one container named " + service);
        return named.getFirst();
    }

    /** The container of this name in a pod, or one of its init containers. */
    static JsonNode container(JsonNode workload, String name) {
        return allContainers(workload).filter(c -> c.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name(workload) + " runs no container " + name));
    }

    /** A pod's containers and init containers. */
    static Stream<JsonNode> allContainers(JsonNode workload) {
        JsonNode pod = podSpec(workload);
        return Stream.concat(stream(pod.path("initContainers")), stream(pod.path("containers")));
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static JsonNode podLabels(JsonNode workload) {
        return workload.path("spec").path("template").path("metadata").path("labels");
    }

    static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    /** The container's environment: its env entries and, as {name, value} entries, the keys of its envFrom ConfigMaps. */
    Map<String, JsonNode> environment(JsonNode container) {
        Map<String, JsonNode> environment = new LinkedHashMap<>();
        stream(container.path("envFrom")).forEach(from -> {
            if (!from.has("configMapRef")) {
                fail(overlay + ": only ConfigMaps are imported whole (envFrom), found " + from);
            }
            one("ConfigMap", from.path("configMapRef").path("name").asText()).path("data").properties()
                    .forEach(e -> environment.put(e.getKey(), YAML.createObjectNode().put("name", e.getKey()).set("value", e.getValue())));
        });
        stream(container.path("env")).forEach(entry -> environment.put(entry.path("name").asText(), entry));
        return environment;
    }

    /** An env entry's value, following a configMapKeyRef; null for other references (secrets, the downward API). */
    String value(JsonNode entry) {
        if (entry.has("value")) {
            return entry.path("value").asText();
        }
        JsonNode ref = entry.path("valueFrom").path("configMapKeyRef");
        if (ref.isMissingNode()) {
            return null;
        }
        JsonNode value = one("ConfigMap", ref.path("name").asText()).path("data").path(ref.path("key").asText());
        if (!(value instanceof TextNode)) {
            fail(overlay + ": " + entry + " refers to a key its ConfigMap does not have");
        }
        return value.asText();
    }

    /** The value of a container's variable, as {@link #value(JsonNode)}; null when the container has no such variable. */
    String value(JsonNode container, String variable) {
        JsonNode entry = environment(container).get(variable);
        return entry == null ? null : value(entry);
    }

    /** Whether labels satisfy a selector: a Service's plain map, or a label selector (matchLabels, matchExpressions). */
    static boolean matches(JsonNode selector, JsonNode labels) {
        boolean labelSelector = selector.has("matchLabels") || selector.has("matchExpressions");
        JsonNode required = labelSelector ? selector.path("matchLabels") : selector;
        boolean matches = required.properties().stream()
                .allMatch(e -> e.getValue().asText().equals(labels.path(e.getKey()).asText(null)));
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.path(expression.path("key").asText()).asText(null);
            boolean listed = value != null && stream(expression.path("values")).anyMatch(v -> v.asText().equals(value));
            matches &= switch (expression.path("operator").asText()) {
                case "In" -> listed;
                case "NotIn" -> !listed;
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator in " + expression);
            };
        }
        return matches;
    }

    /** The Deployments and StatefulSets whose pods a selector selects. */
    List<JsonNode> workloadsSelectedBy(JsonNode selector) {
        return workloads().filter(d -> matches(selector, podLabels(d))).toList();
    }
}

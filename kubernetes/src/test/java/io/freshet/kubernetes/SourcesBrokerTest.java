package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.container;
import static io.freshet.kubernetes.Rendered.matches;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MQTT broker in the sources pod against what the service expects of it: the service writes the broker's password
 * and ACL files (sources/.../mqtt/BrokerAuthFiles), signals it through its pid file, and connects to it on the pod's
 * loopback; devices connect through the Service mqtt.
 */
class SourcesBrokerTest {

    static final String SERVICE = "sources";
    static final String BROKER = "mosquitto";
    /** The files BrokerAuthFiles writes in FRESHET_MQTT_AUTH_DIR. */
    static final List<String> AUTH_FILES = List.of("passwords", "acl");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void oneStablePodRunsTheServiceAndItsBroker(String overlay) {
        JsonNode workload = Rendered.of(overlay).workload(SERVICE);
        // the MQTT client id is the pod's name, and the broker keeps that session on the pod's volume: both stay
        assertEquals("StatefulSet", workload.path("kind").asText(), "sources must keep its pod's name and volume");
        // every instance runs every tenant's database capture, and each would have a broker of its own
        assertEquals(1, workload.at("/spec/replicas").asInt(), overlay + ": sources runs one pod");
        container(workload, BROKER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theBrokerReadsTheFilesTheServiceWritesAndCanBeSignalled(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode pod = podSpec(workload);
        JsonNode service = rendered.container(SERVICE);
        JsonNode broker = container(workload, BROKER);
        Map<String, List<String>> config = brokerConfig(rendered, workload, broker);

        String authDir = rendered.value(service, "FRESHET_MQTT_AUTH_DIR");
        assertTrue(authDir != null && authDir.startsWith("/"), overlay + ": FRESHET_MQTT_AUTH_DIR " + authDir);
        assertEquals(List.of(authDir + "/passwords"), config.get("password_file"), "the broker's password file");
        assertEquals(List.of(authDir + "/acl"), config.get("acl_file"), "the broker's ACL file");
        assertEquals(List.of("false"), config.get("allow_anonymous"), "only the tenants' users and the service's may log in");
        String pidFile = rendered.value(service, "FRESHET_MQTT_PID_FILE");
        assertEquals(List.of(pidFile), config.get("pid_file"), "the service reads the pid the broker writes");
        assertTrue(pidFile.startsWith(authDir + "/"), "the pid file is on the volume both containers mount");

        // one volume, at the same path in both containers, that the pod starts with empty
        String volume = volumeAt(service, authDir);
        assertEquals(volume, volumeAt(broker, authDir), overlay + ": the service and the broker mount other volumes at " + authDir);
        assertTrue(podVolume(workload, volume).has("emptyDir"), overlay + ": " + volume + " is the pod's own, rewritten from Kafka");

        // SIGHUP from the service to the broker: it sees the broker's process, and is its user (no CAP_KILL)
        assertTrue(pod.path("shareProcessNamespace").asBoolean(), overlay + ": the service cannot see the broker's pid");
        int serviceUid = uid(pod, service);
        assertEquals(serviceUid, uid(pod, broker), overlay + ": the service may signal only a process of its own user");
        assertNotEquals(0, serviceUid);

        // the broker refuses to start without its files: an init container makes them, empty, on the same volume
        List<JsonNode> makers = stream(pod.path("initContainers"))
                .filter(init -> authDir.equals(mountPathOf(init, volume)))
                .filter(init -> AUTH_FILES.stream().allMatch(f -> String.join(" ", commandLine(init)).contains(authDir + "/" + f)))
                .toList();
        assertFalse(makers.isEmpty(), overlay + ": no init container makes " + AUTH_FILES + " in " + authDir + " before the broker starts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theServiceConnectsToItsBrokerWhichKeepsItsSessionOnTheVolume(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode broker = container(workload, BROKER);
        Map<String, List<String>> config = brokerConfig(rendered, workload, broker);

        List<String> listener = List.of(config.get("listener").getFirst().split("\\s+"));
        assertEquals(List.of(listener.getFirst(), "0.0.0.0"), listener, "devices connect through the Service: the pod's address");
        int port = Integer.parseInt(listener.getFirst());
        assertEquals(port, brokerPort(broker).path("containerPort").asInt(), overlay + ": the container port mqtt is not the listener's");
        assertEquals("tcp://127.0.0.1:" + port, rendered.value(rendered.container(SERVICE), "MQTT_URL"), "the broker beside the service");

        // the persistent session keeps what devices publish while the service is away: on the pod's own claim
        assertEquals(List.of("true"), config.get("persistence"));
        String location = config.get("persistence_location").getFirst().replaceAll("/$", "");
        String volume = volumeAt(broker, location);
        assertTrue(stream(workload.at("/spec/volumeClaimTemplates")).anyMatch(claim -> name(claim).equals(volume)),
                overlay + ": the broker's persistence " + location + " is not on a volume claim of the pod");
        // nothing dropped while the service is away: the queue is unbounded (0)
        assertEquals(List.of("0"), config.get("max_queued_messages"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void devicesReachTheBrokerThroughTheServiceMqtt(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode brokerPort = brokerPort(container(workload, BROKER));
        JsonNode mqtt = rendered.one("Service", "mqtt");
        assertTrue(matches(mqtt.at("/spec/selector"), Rendered.podLabels(workload)), "the Service mqtt selects the sources pod");
        JsonNode port = mqtt.at("/spec/ports/0");
        assertEquals(1883, port.path("port").asInt(), "MQTT's port");
        JsonNode target = port.path("targetPort");
        assertTrue(target.asText().equals(brokerPort.path("name").asText()) || target.asInt() == brokerPort.path("containerPort").asInt(),
                "the Service mqtt's targetPort " + target + " is not the broker's");
        // from anywhere, as the gateway's HTTP
        boolean open = rendered.ofKind("NetworkPolicy")
                .filter(p -> !p.at("/spec/podSelector").isEmpty() && matches(p.at("/spec/podSelector"), Rendered.podLabels(workload)))
                .flatMap(p -> stream(p.at("/spec/ingress")))
                .filter(rule -> !rule.has("from"))
                .anyMatch(rule -> stream(rule.path("ports")).anyMatch(p -> p.path("port").asInt() == brokerPort.path("containerPort").asInt()
                        || p.path("port").asText().equals(brokerPort.path("name").asText())));
        assertTrue(open, overlay + ": no network policy lets devices reach the broker");
    }

    /** The broker's configuration file, as the pod mounts it (mosquitto -c <file>): its directives and their values. */
    private static Map<String, List<String>> brokerConfig(Rendered rendered, JsonNode workload, JsonNode broker) {
        List<String> command = commandLine(broker);
        int c = command.indexOf("-c");
        assertTrue(c >= 0 && c + 1 < command.size(), "the broker's command names no configuration file: " + command);
        String file = command.get(c + 1);
        String dir = file.substring(0, file.lastIndexOf('/'));
        JsonNode configMap = podVolume(workload, volumeAt(broker, dir)).path("configMap");
        assertFalse(configMap.isMissingNode(), dir + " is no ConfigMap");
        JsonNode text = rendered.one("ConfigMap", configMap.path("name").asText()).path("data").path(file.substring(dir.length() + 1));
        assertTrue(text.isTextual(), "the broker's ConfigMap has no " + file);
        Map<String, List<String>> config = new LinkedHashMap<>();
        text.asText().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(line -> {
            String[] directive = line.split("\\s+", 2);
            config.computeIfAbsent(directive[0], k -> new ArrayList<>()).add(directive.length > 1 ? directive[1] : "");
        });
        return config;
    }

    private static JsonNode brokerPort(JsonNode broker) {
        return stream(broker.path("ports")).filter(p -> p.path("name").asText().equals("mqtt")).findFirst()
                .orElseThrow(() -> new AssertionError("the broker has no container port named mqtt"));
    }

    /** The name of the volume a container mounts at this path. */
    private static String volumeAt(JsonNode container, String path) {
        return stream(container.path("volumeMounts")).filter(m -> m.path("mountPath").asText().equals(path))
                .map(m -> m.path("name").asText()).findFirst()
                .orElseThrow(() -> new AssertionError(container.path("name").asText() + " mounts nothing at " + path));
    }

    private static String mountPathOf(JsonNode container, String volume) {
        return stream(container.path("volumeMounts")).filter(m -> m.path("name").asText().equals(volume))
                .map(m -> m.path("mountPath").asText()).findFirst().orElse(null);
    }

    private static JsonNode podVolume(JsonNode workload, String name) {
        return stream(podSpec(workload).path("volumes")).filter(v -> v.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name(workload) + " has no volume " + name));
    }

    /** A container's command and its arguments, in order. */
    private static List<String> commandLine(JsonNode container) {
        return Stream.concat(stream(container.path("command")), stream(container.path("args"))).map(JsonNode::asText).toList();
    }

    /** The user a container runs as: its own runAsUser, else the pod's; the images' users differ, so it must be set. */
    private static int uid(JsonNode pod, JsonNode container) {
        JsonNode uid = container.at("/securityContext/runAsUser");
        if (uid.isMissingNode()) {
            uid = pod.at("/securityContext/runAsUser");
        }
        assertTrue(uid.isNumber(), container.path("name").asText() + " runs as its image's user, which differs from the other's");
        return uid.asInt();
    }
}

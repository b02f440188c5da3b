package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.container;
import static io.freshet.kubernetes.Rendered.matches;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MQTT broker in the sources pod against what the service expects of it: the service writes the broker's password
 * and ACL files (sources/.../mqtt/BrokerAuthFiles) and connects to the broker on the pod's loopback; devices connect
 * through the Service mqtt, over TLS. The two run apart: other users, no shared processes, the broker reloading the
 * files itself (reload-on-change.sh).
 */
class SourcesBrokerTest {

    static final String SERVICE = "sources";
    static final String BROKER = "mosquitto";
    /** The files BrokerAuthFiles writes in FRESHET_MQTT_AUTH_DIR. */
    static final List<String> AUTH_FILES = List.of("passwords", "acl");
    /** The broker's memory limit holds this many times what it may queue for the service (the messages' overhead, its clients). */
    static final long MEMORY_PER_QUEUED_BYTE = 4;

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
    void theBrokerRunsApartFromTheServiceAsAnotherUser(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode pod = podSpec(workload);
        JsonNode service = rendered.container(SERVICE);
        JsonNode broker = container(workload, BROKER);
        // the JVM holds tenants' database passwords and the Kafka login; the broker faces the devices
        assertFalse(pod.path("shareProcessNamespace").asBoolean(), overlay + ": the service and the broker see each other's processes");
        int serviceUid = uid(pod, service);
        int brokerUid = uid(pod, broker);
        assertNotEquals(serviceUid, brokerUid, overlay + ": the service and the broker run as one user");
        assertNotEquals(0, serviceUid);
        assertNotEquals(0, brokerUid);
        assertTrue(broker.at("/securityContext/readOnlyRootFilesystem").asBoolean(), overlay + ": the broker's root file system is writable");
        // nothing left for the service to signal
        assertNull(rendered.value(service, "FRESHET_MQTT_PID_FILE"), overlay + ": the service would signal a broker it cannot see");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theBrokerReadsTheFilesTheServiceWritesAndReloadsThem(String overlay) {
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

        // one volume, at the same path in both containers, that the pod starts with empty; the broker may only read it
        String volume = volumeAt(service, authDir);
        assertEquals(volume, volumeAt(broker, authDir), overlay + ": the service and the broker mount other volumes at " + authDir);
        assertTrue(podVolume(workload, volume).has("emptyDir"), overlay + ": " + volume + " is the pod's own, rewritten from Kafka");
        assertTrue(mountOf(broker, authDir).path("readOnly").asBoolean(), overlay + ": the broker may rewrite who logs in");
        // the files (0640, BrokerAuthFiles) are the volume's group's, the fsGroup: the broker's
        assertEquals(pod.at("/securityContext/fsGroup").asInt(), gid(pod, broker), overlay + ": the broker is not of the auth files' group");
        assertNotEquals(gid(pod, broker), gid(pod, service), overlay + ": the service's own group would let the broker's user in");

        // the broker refuses to start without its files: an init container makes them, empty, as the service's user
        List<JsonNode> makers = stream(pod.path("initContainers"))
                .filter(init -> authDir.equals(mountPathOf(init, volume)))
                .filter(init -> AUTH_FILES.stream().allMatch(f -> String.join(" ", commandLine(init)).contains(authDir + "/" + f)))
                .toList();
        assertFalse(makers.isEmpty(), overlay + ": no init container makes " + AUTH_FILES + " in " + authDir + " before the broker starts");
        makers.forEach(init -> assertEquals(uid(pod, service), uid(pod, init), overlay + ": the service could not rewrite the files it finds"));

        // the loop that runs the broker reloads it when the files change
        List<String> command = commandLine(broker);
        int end = command.indexOf("--");
        assertTrue(end > 0 && command.get(1).endsWith("/reload-on-change.sh"), overlay + ": the broker runs without its reload loop: " + command);
        List<String> watched = command.subList(2, end);
        AUTH_FILES.forEach(f -> assertTrue(watched.contains(authDir + "/" + f), overlay + ": nothing reloads the broker when " + f + " changes"));
        List.of("certfile", "keyfile").forEach(d -> assertTrue(watched.containsAll(config.get(d)), overlay + ": the broker keeps an old " + d));
        String script = command.get(1);
        String dir = script.substring(0, script.lastIndexOf('/'));
        JsonNode configMap = rendered.one("ConfigMap", podVolume(workload, volumeAt(broker, dir)).at("/configMap/name").asText());
        assertTrue(configMap.at("/data").path(script.substring(dir.length() + 1)).asText().contains("kill -HUP"),
                overlay + ": " + script + " does not signal the broker");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theServiceConnectsToItsBrokerWhichKeepsABoundedSessionOnTheVolume(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode broker = container(workload, BROKER);
        Map<String, List<String>> config = brokerConfig(rendered, workload, broker);

        // plain MQTT on the pod's loopback only, for the service beside the broker
        List<String> plain = config.get("listener").stream().filter(l -> l.startsWith("1883")).findFirst()
                .map(l -> List.of(l.split("\\s+"))).orElseThrow(() -> new AssertionError("the broker has no plain listener"));
        assertEquals(List.of("1883", "127.0.0.1"), plain, overlay + ": the plain listener is reachable from outside the pod");
        assertEquals("tcp://127.0.0.1:1883", rendered.value(rendered.container(SERVICE), "MQTT_URL"), "the broker beside the service");

        // the persistent session keeps what devices publish while the service is away: on the pod's own claim
        assertEquals(List.of("true"), config.get("persistence"));
        String location = config.get("persistence_location").getFirst().replaceAll("/$", "");
        String volume = volumeAt(broker, location);
        assertTrue(stream(workload.at("/spec/volumeClaimTemplates")).anyMatch(claim -> name(claim).equals(volume)),
                overlay + ": the broker's persistence " + location + " is not on a volume claim of the pod");
        // bounded (0 is no limit): devices cannot fill the broker's memory while the service is away
        long messages = Long.parseLong(config.get("max_queued_messages").getFirst());
        long bytes = Long.parseLong(config.get("max_queued_bytes").getFirst());
        assertTrue(messages > 0 && bytes > 0, overlay + ": the broker's queue is unbounded");
        long limit = bytes(broker.at("/resources/limits/memory").asText());
        assertTrue(bytes * MEMORY_PER_QUEUED_BYTE <= limit, overlay + ": the queue (" + bytes + " bytes) would crowd the broker's memory (" + limit + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theBrokerLoadsFreshetsGuardWhichPushesBackBeforeItsQueueIsFull(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode broker = container(workload, BROKER);
        Map<String, List<String>> config = brokerConfig(rendered, workload, broker);

        assertTrue(broker.path("image").asText().contains("freshet/mosquitto"),
                overlay + ": the broker's image (" + broker.path("image").asText() + ") is not the one with the guard");
        assertEquals(List.of("/usr/lib/freshet/freshet_mqtt_guard.so"), config.get("plugin"), overlay);
        assertEquals(List.of("freshet_sources"), config.get("plugin_opt_service_user"), overlay + ": the service's own user");
        assertEquals(List.of("freshet-sources-"), config.get("plugin_opt_service_prefix"), overlay);
        String authDir = rendered.value(rendered.container(SERVICE), "FRESHET_MQTT_AUTH_DIR");
        assertEquals(List.of(authDir + "/limits"), config.get("plugin_opt_limits_file"), overlay + ": the limits the service keeps");
        // the guard's backlog bound comes before the broker's own queue bounds, past which it would drop acknowledged messages
        assertTrue(Long.parseLong(config.get("plugin_opt_max_backlog").getFirst())
                < Long.parseLong(config.get("max_queued_messages").getFirst()), overlay);
        assertTrue(Long.parseLong(config.get("plugin_opt_max_backlog_bytes").getFirst())
                < Long.parseLong(config.get("max_queued_bytes").getFirst()), overlay);
        // and a tenant's share comes before that bound, so one tenant's flood does not fill it for the others
        assertTrue(Long.parseLong(config.get("plugin_opt_max_tenant_backlog").getFirst())
                < Long.parseLong(config.get("plugin_opt_max_backlog").getFirst()), overlay);
        assertTrue(Long.parseLong(config.get("plugin_opt_max_tenant_backlog_bytes").getFirst())
                < Long.parseLong(config.get("plugin_opt_max_backlog_bytes").getFirst()), overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void devicesReachTheBrokerOverTlsThroughTheServiceMqtt(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode workload = rendered.workload(SERVICE);
        JsonNode broker = container(workload, BROKER);
        Map<String, List<String>> config = brokerConfig(rendered, workload, broker);
        // the TLS listener, with a certificate and key from a Secret that only the broker mounts
        assertTrue(config.get("listener").contains("8883 0.0.0.0"), overlay + ": the broker has no TLS listener on 8883: " + config.get("listener"));
        for (String directive : List.of("certfile", "keyfile")) {
            String file = config.get(directive).getFirst();
            String dir = file.substring(0, file.lastIndexOf('/'));
            JsonNode secret = podVolume(workload, volumeAt(broker, dir)).path("secret");
            assertEquals("mqtt-tls", secret.path("secretName").asText(), overlay + ": the broker's " + directive + " is not from the Secret mqtt-tls");
            assertTrue(stream(rendered.container(SERVICE).path("volumeMounts")).noneMatch(m -> m.path("mountPath").asText().equals(dir)),
                    overlay + ": the service mounts the broker's key");
        }
        JsonNode tlsPort = brokerPort(broker);
        assertEquals(8883, tlsPort.path("containerPort").asInt());

        JsonNode mqtt = rendered.one("Service", "mqtt");
        assertTrue(matches(mqtt.at("/spec/selector"), Rendered.podLabels(workload)), "the Service mqtt selects the sources pod");
        assertEquals(1, mqtt.at("/spec/ports").size(), "the Service mqtt exposes MQTT over TLS only");
        JsonNode port = mqtt.at("/spec/ports/0");
        assertEquals(8883, port.path("port").asInt(), "MQTT over TLS's port");
        JsonNode target = port.path("targetPort");
        assertTrue(target.asText().equals(tlsPort.path("name").asText()) || target.asInt() == 8883,
                "the Service mqtt's targetPort " + target + " is not the broker's TLS port");
        // from anywhere, as the gateway's HTTP
        boolean open = WiringTest.ingressRules(rendered, workload).stream().filter(rule -> !rule.has("from"))
                .anyMatch(rule -> WiringTest.opens(rule, 8883, tlsPort.path("name").asText()));
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
        return stream(broker.path("ports")).filter(p -> p.path("name").asText().equals("mqtts")).findFirst()
                .orElseThrow(() -> new AssertionError("the broker has no container port named mqtts"));
    }

    /** The name of the volume a container mounts at this path. */
    private static String volumeAt(JsonNode container, String path) {
        return mountOf(container, path).path("name").asText();
    }

    private static JsonNode mountOf(JsonNode container, String path) {
        return stream(container.path("volumeMounts")).filter(m -> m.path("mountPath").asText().equals(path)).findFirst()
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

    /** The user a container runs as: its own runAsUser, else the pod's; set, not left to the image. */
    private static int uid(JsonNode pod, JsonNode container) {
        return securityContextNumber(pod, container, "runAsUser");
    }

    private static int gid(JsonNode pod, JsonNode container) {
        return securityContextNumber(pod, container, "runAsGroup");
    }

    private static int securityContextNumber(JsonNode pod, JsonNode container, String field) {
        JsonNode value = container.path("securityContext").path(field);
        if (value.isMissingNode()) {
            value = pod.path("securityContext").path(field);
        }
        assertTrue(value.isNumber(), container.path("name").asText() + " sets no " + field + ": its image's would do");
        return value.asInt();
    }

    /** A Kubernetes quantity of bytes (512Mi, 1Gi, 1G, 1000). */
    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(quantity);
        assertTrue(m.matches(), "not a quantity of bytes: " + quantity);
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }
}

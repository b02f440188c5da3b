package io.freshet.sources.mqtt;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's backlog bound, on a real Mosquitto of its own with the plugin `./freshet up` compiled and a bound of 20
 * messages: while the service's session holds 20 it has not taken, a device's publishes are pushed back (not
 * acknowledged, connection closed); once the service reports what it took, they are let in. The session then holds
 * every message the device was told was accepted: nothing acknowledged was dropped.
 */
class MqttGuardIT {

    private static final int PORT = 18830;
    private static final int BOUND = 20;
    private static final String SERVICE = "freshet_sources";
    private static final String SESSION = "freshet-sources-guard-test";
    /** mosquitto_sub's exit status when -W ran out: it was connected and waited. */
    private static final int TIMED_OUT = 27;

    @TempDir
    Path dir;
    private Process broker;

    @BeforeEach
    void startBroker() throws Exception {
        // users: the service's and a tenant's, hashed by mosquitto_passwd -U (no password on a command line)
        Path passwords = dir.resolve("passwords");
        Files.writeString(passwords, SERVICE + ":service-secret\nguarded:device-secret\n");
        assertEquals(0, new ProcessBuilder("mosquitto_passwd", "-U", passwords.toString()).inheritIO().start().waitFor());
        Files.writeString(dir.resolve("acl"), "user " + SERVICE + "\ntopic read freshet/#\ntopic write " + GuardReports.TOPIC
                + "\n\npattern write freshet/%u/#\n");
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + PORT + " 127.0.0.1", "allow_anonymous false",
                "plugin " + LocalStack.repositoryRoot().resolve(".freshet/freshet_mqtt_guard.so"),
                "plugin_opt_service_user " + SERVICE, "plugin_opt_service_prefix freshet-sources-",
                "plugin_opt_default_rate 100000", "plugin_opt_max_backlog " + BOUND,
                "password_file " + passwords, "acl_file " + dir.resolve("acl"), "user " + System.getProperty("user.name"),
                "log_dest file " + dir.resolve("broker.log"), "log_type all", ""));
        broker = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("broker.out").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(MqttGuardIT::brokerListens);
    }

    @AfterEach
    void stopBroker() throws InterruptedException {
        broker.destroy();
        broker.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void whileTheServicesBacklogIsFullDevicesArePushedBackAndNothingAcknowledgedIsDropped() throws Exception {
        // the service's persistent session exists, and the service is away
        assertEquals(TIMED_OUT, serviceClient("mosquitto_sub", "-c", "-q", "1", "-t", "freshet/#", "-W", "1").waitFor(),
                "the service's session could not be made");

        var publishing = CompletableFuture.supplyAsync(() -> {
            try {
                var result = NodeScript.run("publish-mqtt.mjs", Map.of("MQTT_URL", "mqtt://127.0.0.1:" + PORT,
                        "MQTT_USER", "guarded", "MQTT_PASSWORD", "device-secret", "EVENT_IDS", "1"),
                        Duration.ofMinutes(2), "freshet/guarded/reading", "30");
                assertEquals(0, result.exitCode(), result.toString());
                return JsonPath.from(result.lines().getLast());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("wait for the sources service"));
        assertEquals(BOUND, acknowledgedToTheDevice(), "the broker acknowledged past the bound");

        // the service takes what waits, and says so after each batch written to Kafka: the rest is let in (copies the
        // device sends again, their PUBACKs lost with a closed connection, count too: so it reports until it is done)
        JsonPath sent = null;
        for (int report = 0; sent == null && report < 120; report++) {
            assertEquals(0, serviceClient("mosquitto_pub", "-q", "0", "-t", GuardReports.TOPIC, "-m", BOUND + " 1000").waitFor());
            try {
                sent = publishing.get(500, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillPublishing) {
                // the next batch's report
            }
        }
        assertTrue(sent != null, "the device was still pushed back after a minute of reports");
        assertEquals(30, sent.getInt("acked"), sent.prettify());
        assertTrue(sent.getInt("reconnects") > 0, "the device was pushed back: " + sent.prettify());

        // every acknowledged message waits in the service's session (a copy the device sent again, its PUBACK lost
        // with the closed connection, may be there twice: its event_id makes the pipeline store it once)
        Process drain = serviceClient("mosquitto_sub", "-c", "-q", "1", "-t", "freshet/#", "-W", "5");
        String held = new String(drain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(TIMED_OUT, drain.waitFor());
        assertEquals(30, held.lines().map(line -> JsonPath.from(line).getInt("seq")).distinct().count(), held);
    }

    /**
     * The service's MQTT client, its password from a config file rather than the command line: mosquitto_sub on the
     * service's session, mosquitto_pub (a clean session, which would discard that one) on an id of its own.
     */
    private Process serviceClient(String command, String... arguments) throws IOException {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        String clientId = command.equals("mosquitto_sub") ? SESSION : SESSION + "-reports";
        Files.writeString(config.resolve(command), "-p " + PORT + "\n-u " + SERVICE + "\n-P service-secret\n-i " + clientId + "\n");
        var builder = new ProcessBuilder(Stream.concat(Stream.of(command), Stream.of(arguments)).toList());
        builder.environment().put("XDG_CONFIG_HOME", config.toString());
        return builder.start();
    }

    private long acknowledgedToTheDevice() throws IOException {
        return log().lines().filter(line -> line.contains("Sending PUBACK to guarded:")).count();
    }

    private String log() throws IOException {
        Path log = dir.resolve("broker.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static boolean brokerListens() {
        try (Socket ignored = new Socket("127.0.0.1", PORT)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

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
 * The guard's backlog bounds, on a real Mosquitto of its own with the plugin `./freshet up` compiled, a tenant's share
 * of 10 messages and a bound of 20 for all tenants: while the service's session holds a tenant's 10 it has not taken,
 * that tenant's publishes are pushed back (not acknowledged, connection closed) and the other tenants' are not; once
 * the service reports what it took, they are let in. The session then holds every message a device was told was
 * accepted: nothing acknowledged was dropped.
 */
class MqttGuardIT {

    private static final int PORT = 18830;
    private static final int BOUND = 20;
    private static final int SHARE = 10;
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
        Files.writeString(passwords, SERVICE + ":service-secret\nguarded:device-secret\nquiet:device-secret\n"
                + "third:device-secret\n");
        assertEquals(0, new ProcessBuilder("mosquitto_passwd", "-U", passwords.toString()).inheritIO().start().waitFor());
        Files.writeString(dir.resolve("acl"), "user " + SERVICE + "\ntopic read freshet/#\ntopic write " + GuardReports.TOPIC
                + "\n\npattern write freshet/%u/#\n");
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + PORT + " 127.0.0.1", "allow_anonymous false",
                "plugin " + LocalStack.repositoryRoot().resolve(".freshet/freshet_mqtt_guard.so"),
                "plugin_opt_service_user " + SERVICE, "plugin_opt_service_prefix freshet-sources-",
                "plugin_opt_default_rate 100000", "plugin_opt_max_backlog " + BOUND, "plugin_opt_max_tenant_backlog " + SHARE,
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
    void whileATenantsShareIsFullItsDevicesArePushedBackAndNothingAcknowledgedIsDropped() throws Exception {
        serviceSessionExists();
        var flooding = publish("guarded", 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("tenant guarded has " + SHARE + " messages"));
        assertEquals(SHARE, acknowledgedTo("guarded"), "the broker acknowledged past the tenant's share");

        JsonPath sent = reportUntilDone(flooding, "guarded " + SHARE + " 1000");
        assertEquals(30, sent.getInt("acked"), sent.prettify());
        assertTrue(sent.getInt("reconnects") > 0, "the device was pushed back: " + sent.prettify());

        // every acknowledged message waits in the service's session (a copy the device sent again, its PUBACK lost
        // with the closed connection, may be there twice: its event_id makes the pipeline store it once)
        Process drain = client("mosquitto_sub", SERVICE, "service-secret", SESSION, "-c", "-q", "1", "-t", "freshet/#", "-W", "5");
        String held = new String(drain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(TIMED_OUT, drain.waitFor());
        assertEquals(30, held.lines().map(line -> JsonPath.from(line).getInt("seq")).distinct().count(), held);
    }

    @Test
    void oneTenantsFloodFillsItsShareAndNotTheOthers() throws Exception {
        serviceSessionExists();
        var flooding = publish("guarded", 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("tenant guarded has " + SHARE + " messages"));

        // another tenant's device is served while the flooder is pushed back
        Process quiet = publishLines("quiet", 5);
        assertTrue(quiet.waitFor(30, TimeUnit.SECONDS) && quiet.exitValue() == 0, "a quiet tenant was pushed back: " + log());
        assertEquals(5, acknowledgedTo("quiet"));
        // the bound of all tenants together still holds: 15 wait, so a third tenant gets 5 in and is pushed back
        Process third = publishLines("third", 10);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> log().contains("wait for the sources service"));
            assertEquals(BOUND - SHARE - 5, acknowledgedTo("third"));
        } finally {
            third.destroy(); // it would reconnect and try again for ever
        }

        // the service reports each tenant's takes; the flooder is let in again (a report in the format of a service
        // from before the shares counts for all tenants together)
        assertEquals(0, client("mosquitto_pub", SERVICE, "service-secret", SESSION + "-reports", "-q", "0",
                "-t", GuardReports.TOPIC, "-m", "quiet 5 100\nthird 5 100\n10 200").waitFor());
        JsonPath sent = reportUntilDone(flooding, "guarded " + SHARE + " 1000");
        assertEquals(30, sent.getInt("acked"), sent.prettify());
    }

    /** The service's persistent session exists, and the service is away. */
    private void serviceSessionExists() throws Exception {
        assertEquals(TIMED_OUT, client("mosquitto_sub", SERVICE, "service-secret", SESSION, "-c", "-q", "1", "-t",
                "freshet/#", "-W", "1").waitFor(), "the service's session could not be made");
    }

    /** A device of the tenant publishing {@code count} messages at QoS 1, reconnecting when pushed back, until all are acknowledged. */
    private CompletableFuture<JsonPath> publish(String tenant, int count) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                var result = NodeScript.run("publish-mqtt.mjs", Map.of("MQTT_URL", "mqtt://127.0.0.1:" + PORT,
                        "MQTT_USER", tenant, "MQTT_PASSWORD", "device-secret", "EVENT_IDS", "1"),
                        Duration.ofMinutes(2), "freshet/" + tenant + "/reading", String.valueOf(count));
                assertEquals(0, result.exitCode(), result.toString());
                return JsonPath.from(result.lines().getLast());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A device of the tenant publishing {@code count} messages at QoS 1 (mosquitto_pub; it ends once all are acknowledged). */
    private Process publishLines(String tenant, int count) throws IOException {
        Process pub = client("mosquitto_pub", tenant, "device-secret", tenant + ":probe", "-q", "1", "-t",
                "freshet/" + tenant + "/reading", "-l");
        try (var lines = pub.getOutputStream()) {
            for (int i = 0; i < count; i++) {
                lines.write(("{\"seq\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return pub;
    }

    /**
     * The service takes what waits, and says so after each batch written to Kafka, until the device is done (copies it
     * sends again, their PUBACKs lost with a closed connection, count too).
     */
    private JsonPath reportUntilDone(CompletableFuture<JsonPath> publishing, String report) throws Exception {
        for (int i = 0; i < 120; i++) {
            assertEquals(0, client("mosquitto_pub", SERVICE, "service-secret", SESSION + "-reports", "-q", "0",
                    "-t", GuardReports.TOPIC, "-m", report).waitFor());
            try {
                return publishing.get(500, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillPublishing) {
                // the next batch's report
            }
        }
        throw new AssertionError("the device was still pushed back after a minute of reports");
    }

    /**
     * A Mosquitto command-line client of the user, its password from a config file rather than the command line (the
     * service's mosquitto_sub on its session, its mosquitto_pub, a clean session that would discard that one, on an id
     * of its own).
     */
    private Process client(String command, String user, String password, String clientId, String... arguments) throws IOException {
        Path config = dir.resolve("config-" + clientId.replace(':', '-'));
        Files.createDirectories(config);
        Files.writeString(config.resolve(command), "-p " + PORT + "\n-u " + user + "\n-P " + password + "\n-i " + clientId + "\n");
        var builder = new ProcessBuilder(Stream.concat(Stream.of(command), Stream.of(arguments)).toList());
        builder.environment().put("XDG_CONFIG_HOME", config.toString());
        return builder.start();
    }

    private long acknowledgedTo(String tenant) throws IOException {
        return log().lines().filter(line -> line.contains("Sending PUBACK to " + tenant + ":")).count();
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

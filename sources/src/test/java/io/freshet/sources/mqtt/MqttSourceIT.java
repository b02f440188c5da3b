package io.freshet.sources.mqtt;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.topic.MqttTopics;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices over MQTT, against the real stack: the npm {@code mqtt} client publishes JSON events at QoS 1 to the local
 * Mosquitto with a tenant's MQTT login, and every event reaches ClickHouse once, also when the sources service is
 * killed mid-stream; a publish under another tenant's prefix is refused by the broker and stores nothing; a hostile
 * device can take neither the service's session nor another tenant's client ids; a tenant over its rate is pushed back
 * and loses nothing.
 */
class MqttSourceIT {

    private static final int EVENTS = 1000;
    /** The sources service's session on the local stack (freshet.sources.mqtt.client-id, no FRESHET_INSTANCE_ID). */
    private static final String SERVICE_SESSION = "freshet-sources-local";
    /** MQTT 5's CONNACK reason code "not authorized". */
    private static final int NOT_AUTHORIZED = 135;

    /** A tenant's MQTT login (user name and password) as the admin API gives it. */
    record Login(String tenantId, String username, String password) {

        static Login enable(String tenantId) {
            JsonPath answer = TestTenants.admin().post("/v1/admin/tenants/" + tenantId + "/sources/mqtt")
                    .then().statusCode(201).extract().jsonPath();
            return new Login(tenantId, answer.getString("username"), answer.getString("password"));
        }

        JsonPath publish(String topic, int count, int perSecond) throws Exception {
            return publish(topic, count, perSecond, Map.of());
        }

        JsonPath publish(String topic, int count, int perSecond, Map<String, String> environment) throws Exception {
            var settings = new HashMap<>(environment);
            settings.putAll(Map.of("MQTT_URL", LocalStack.mqttUrl(), "MQTT_USER", username, "MQTT_PASSWORD", password));
            var result = NodeScript.run("publish-mqtt.mjs", settings, Duration.ofMinutes(2), topic, Integer.toString(count),
                    Integer.toString(perSecond));
            assertEquals(0, result.exitCode(), result.toString());
            return JsonPath.from(result.lines().getLast());
        }

        /** One connection attempt with this client id, not tried again when refused. */
        JsonPath connectOnce(String clientId) throws Exception {
            return publish(MqttTopics.prefixOf(tenantId) + "probe", 1, 0,
                    Map.of("MQTT_CLIENT_ID", clientId, "MQTT_CONNECT_ONCE", "1"));
        }

        CompletableFuture<JsonPath> publishInBackground(String topic, int count, int perSecond) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return publish(topic, count, perSecond);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void everyPublishedEventIsStoredOnceAndAnotherTenantsPrefixIsRefused() throws Exception {
        var tenant = TestTenants.create("mqtt");
        var other = TestTenants.create("mqtt-other");
        var login = Login.enable(tenant.id());

        JsonPath sent = login.publish("freshet/" + tenant.id() + "/reading", EVENTS, 0);
        assertEquals(EVENTS, sent.getInt("acked"), sent.prettify());
        ClickHouseProbe.awaitStoredOnce(tenant.id(), EVENTS);
        assertEquals("reading\t" + EVENTS, ClickHouseProbe.query("SELECT type, uniqExact(JSONExtractInt(properties, 'seq'))"
                + " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' GROUP BY type"));

        JsonPath intruding = login.publish("freshet/" + other.id() + "/reading", 5, 0);
        assertEquals(0, intruding.getInt("acked"), intruding.prettify());
        assertEquals(135, intruding.getInt("reasonCodes[0]"), "MQTT 5 'not authorized': " + intruding.prettify());
        // a later event of the tenant itself arrives after anything the broker would have passed on
        login.publish("freshet/" + tenant.id() + "/marker", 1, 0);
        ClickHouseProbe.awaitStoredOnce(tenant.id(), EVENTS + 1);
        assertEquals(0, ClickHouseProbe.eventsOf(other.id()));

        // what is not JSON is acknowledged to the device and dead-lettered with the reason, not dropped
        login.publish("freshet/" + tenant.id() + "/reading", 1, 0, Map.of("PAYLOAD", "21.5 C"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(1).equals(JsonPath.from(
                Freshet.run("dlq", "list", "--tenant", tenant.id(), "--json")).get("by_stage.sources.invalid_event")));
        assertEquals(EVENTS + 1, ClickHouseProbe.eventsOf(tenant.id()));
    }

    @Test
    void killingTheSourcesServiceMidStreamLosesAndDoublesNothing() throws Exception {
        var tenant = TestTenants.create("mqtt-kill");
        var login = Login.enable(tenant.id());

        // 1,000 events over 10 s: the service is killed while they flow, and the broker keeps them meanwhile
        var publishing = login.publishInBackground("freshet/" + tenant.id() + "/reading", EVENTS, 100);
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= EVENTS / 5);
        Freshet.kill("sources");
        Freshet.run("up", "sources");

        JsonPath sent = publishing.get();
        assertEquals(EVENTS, sent.getInt("acked"), sent.prettify());
        ClickHouseProbe.awaitStoredOnce(tenant.id(), EVENTS);
        assertEquals(Integer.toString(EVENTS), ClickHouseProbe.query("SELECT uniqExact(JSONExtractInt(properties, 'seq'))"
                + " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "'"));
    }

    @Test
    void aHostileDeviceTakesNeitherTheServicesSessionNorAnotherTenantsClientIds() throws Exception {
        var victim = TestTenants.create("mqtt-victim");
        var victimLogin = Login.enable(victim.id());
        var hostile = Login.enable(TestTenants.create("mqtt-hostile").id());

        // 30 events over 3 s while the hostile device tries, clean session each time, to take the service's session
        // (which would discard what the broker keeps for it) and the victim's ids
        var publishing = victimLogin.publishInBackground("freshet/" + victim.id() + "/reading", 30, 10);
        for (String clientId : List.of(SERVICE_SESSION, victim.id() + ":device-1", "device-1", SERVICE_SESSION,
                victim.id(), SERVICE_SESSION)) {
            JsonPath attempt = hostile.connectOnce(clientId);
            assertEquals(Boolean.FALSE, attempt.get("connected"), clientId + ": " + attempt.prettify());
            assertEquals(NOT_AUTHORIZED, attempt.getInt("reasonCode"), clientId + ": " + attempt.prettify());
        }

        JsonPath sent = publishing.get();
        assertEquals(30, sent.getInt("acked"), sent.prettify());
        ClickHouseProbe.awaitStoredOnce(victim.id(), 30);
        // the hostile tenant's own ids still work
        assertEquals(1, hostile.connectOnce(hostile.tenantId() + ":device-1").getInt("acked"));
    }

    @Test
    void aTenantOverItsRateIsPushedBackWithoutAcknowledgementAndLosesNothing() throws Exception {
        var tenant = TestTenants.create("mqtt-rate");
        TestTenants.admin().body("{\"eventsPerSecond\":20}").put("/v1/admin/tenants/" + tenant.id() + "/limits")
                .then().statusCode(200);
        var login = Login.enable(tenant.id());

        // 100 as fast as the client goes: 20 in the first second's burst, then 20/s; each publish over the rate is left
        // unacknowledged and its connection closed, so the client sends it again after reconnecting. The PUBACKs of
        // messages just before it may be lost with the connection, so the client sends those again too: with their
        // event_ids they are stored once (as any QoS 1 publish retried after a dropped connection)
        long start = System.nanoTime();
        JsonPath sent = login.publish("freshet/" + tenant.id() + "/reading", 100, 0, Map.of("EVENT_IDS", "1"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(100, sent.getInt("acked"), sent.prettify());
        assertTrue(sent.getInt("reconnects") > 0, "the broker pushed back: " + sent.prettify());
        assertTrue(took.compareTo(Duration.ofSeconds(3)) > 0, "80 events over the burst at 20/s take 4 s, took " + took);
        ClickHouseProbe.awaitStoredOnce(tenant.id(), 100);
        assertEquals("100", ClickHouseProbe.query("SELECT uniqExact(JSONExtractInt(properties, 'seq'))"
                + " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "'"));
    }
}

package io.freshet.sources.mqtt;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.freshet.eventmodel.stack.TestTenants;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Devices over MQTT, against the real stack: the npm {@code mqtt} client publishes JSON events at QoS 1 to the local
 * Mosquitto with a tenant's MQTT login, and every event reaches ClickHouse once, also when the sources service is
 * killed mid-stream; a publish under another tenant's prefix is refused by the broker and stores nothing.
 */
class MqttSourceIT {

    private static final int EVENTS = 1000;

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
        var publishing = CompletableFuture.supplyAsync(() -> {
            try {
                return login.publish("freshet/" + tenant.id() + "/reading", EVENTS, 100);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= EVENTS / 5);
        Freshet.kill("sources");
        Freshet.run("up", "sources");

        JsonPath sent = publishing.get();
        assertEquals(EVENTS, sent.getInt("acked"), sent.prettify());
        ClickHouseProbe.awaitStoredOnce(tenant.id(), EVENTS);
        assertEquals(Integer.toString(EVENTS), ClickHouseProbe.query("SELECT uniqExact(JSONExtractInt(properties, 'seq'))"
                + " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "'"));
    }
}

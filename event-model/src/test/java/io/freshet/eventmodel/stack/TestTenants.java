package io.freshet.eventmodel.stack;

import io.freshet.eventmodel.topic.Topics;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Creates a fresh tenant through the admin API, so each test sees only its own data. */
public final class TestTenants {

    /** A tenant created for one test and the API key it was given. */
    public record TestTenant(String id, String apiKey) {
        public String bearer() {
            return "Bearer " + apiKey;
        }
    }

    private TestTenants() {
    }

    /** Saves the tenant's rules through the admin API; returns the new rules version. */
    public static int setRules(String tenantId, String rulesJson) {
        return admin().body(rulesJson)
                .put("/v1/admin/tenants/" + tenantId + "/rules")
                .then().statusCode(200)
                .extract().path("rulesVersion");
    }

    /**
     * Saves the tenant's rules and waits until the enricher applies them: probe events (type rules.probe, which
     * test rules let through) go in until one comes out under the new rules version.
     */
    public static int applyRules(String tenantId, String rulesJson) throws Exception {
        int version = setRules(tenantId, rulesJson);
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String probe = "probe-" + UUID.randomUUID();
            TopicProbe.sendAll(List.of(RawEvents.record(tenantId, probe, UUID.randomUUID().toString(), "rules.probe")));
            return TopicProbe.firstRecord(from, tenantId + "/" + probe, EnrichedRecords.deserializer())
                    .value().getRulesVersion() == version;
        });
        return version;
    }

    /**
     * A new key reaches the gateway through freshet.tenants within moments, longer while a restarted broker's
     * consumers reconnect: until then it is a stranger's (401). An empty batch stores nothing and tells them apart.
     */
    private static void awaitKnownByTheGateway(String apiKey) {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(LocalStack.ingestUrl())
                .header("Authorization", "Bearer " + apiKey).contentType(ContentType.JSON).body("[]")
                .post("/v1/events").statusCode() != 401);
    }

    /** A scoped key: its id (for the admin API) and its secret. */
    public record TestKey(String id, String apiKey) {
    }

    /** A new key of the tenant with these scopes ("read", "write"), once the gateway and the analytics API know it. */
    public static TestKey createKey(String tenantId, String... scopes) {
        var created = admin().body(Map.of("scopes", List.of(scopes), "name", "test"))
                .post("/v1/admin/tenants/" + tenantId + "/api-keys")
                .then().statusCode(201).extract();
        String apiKey = created.path("apiKey");
        awaitKnownByTheGateway(apiKey);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(LocalStack.analyticsUrl())
                .header("Authorization", "Bearer " + apiKey).get("/v1/stats/counts").statusCode() != 401);
        return new TestKey(created.path("id"), apiKey);
    }

    /** Lets pages of these origins use the tenant's keys (CORS). */
    public static void allowOrigins(String tenantId, String... origins) {
        admin().body(Map.of("origins", List.of(origins))).put("/v1/admin/tenants/" + tenantId + "/origins")
                .then().statusCode(200);
    }

    /** A request to the admin API, with the admin token. */
    public static RequestSpecification admin() {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer " + LocalStack.adminToken())
                .contentType(ContentType.JSON);
    }

    /** A tenant id no other test uses: the prefix and a random suffix. */
    public static String newId(String prefix) {
        return (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
    }

    public static TestTenant create(String prefix) {
        String id = newId(prefix);
        String apiKey = admin().body("{\"id\":\"" + id + "\",\"name\":\"" + prefix + " test\"}")
                .post("/v1/admin/tenants")
                .then().statusCode(201)
                .extract().path("apiKey");
        awaitKnownByTheGateway(apiKey);
        return new TestTenant(id, apiKey);
    }
}

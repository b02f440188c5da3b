package io.freshet.ingest.access;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who may send events: key scopes, keys in URLs, and the tenant's allowed origins (CORS), against the real gateway. */
class IngestAccessIT {

    private static final String PAGE = "https://shop.example.com";
    private static TestTenant tenant;
    private static String writeKey;

    @BeforeAll
    static void tenant() {
        tenant = TestTenants.create("access");
        writeKey = TestTenants.createKey(tenant.id(), "write").apiKey();
        TestTenants.allowOrigins(tenant.id(), PAGE);
    }

    @Test
    void onlyKeysWithTheWriteScopeSendAndOnlyWriteOnlyKeysTravelInTheUrl() {
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", "Bearer " + readKey).contentType(ContentType.JSON)
                .body("{\"type\":\"a\"}").post("/v1/events").then().statusCode(403).body("error.code", equalTo("wrong_scope"));
        // navigator.sendBeacon cannot set headers: text/plain JSON, the key in the URL
        given().baseUri(LocalStack.ingestUrl()).queryParam("writeKey", writeKey).contentType("text/plain;charset=UTF-8")
                .body("{\"type\":\"beacon.sent\"}").post("/v1/events").then().statusCode(202).body("accepted", equalTo(1));
        given().baseUri(LocalStack.ingestUrl()).queryParam("writeKey", tenant.apiKey()).contentType(ContentType.JSON)
                .body("{\"type\":\"a\"}").post("/v1/events").then().statusCode(403).body("error.code", equalTo("key_in_url"));
    }

    @Test
    void pagesOfAllowedOriginsGetTheGrantAndOthersAreRefusedBeforeAnythingIsStored() {
        given().baseUri(LocalStack.ingestUrl()).header("Origin", PAGE).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type").options("/v1/batch")
                .then().statusCode(204).header("Access-Control-Allow-Origin", PAGE)
                .header("Access-Control-Max-Age", "7200").header("Access-Control-Allow-Credentials", nullValue());
        given().baseUri(LocalStack.ingestUrl()).header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST").options("/v1/events")
                .then().statusCode(403).header("Access-Control-Allow-Origin", nullValue())
                .body("error.code", equalTo("origin_not_allowed"));

        given().baseUri(LocalStack.ingestUrl()).header("Origin", PAGE).header("Authorization", "Bearer " + writeKey)
                .contentType(ContentType.JSON).body("{\"type\":\"from.page\"}").post("/v1/events")
                .then().statusCode(202).header("Access-Control-Allow-Origin", PAGE);
        given().baseUri(LocalStack.ingestUrl()).header("Origin", "https://elsewhere.example")
                .header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON)
                .body("{\"type\":\"from.elsewhere\"}").post("/v1/events")
                .then().statusCode(403).header("Access-Control-Allow-Origin", nullValue())
                .body("error.code", equalTo("origin_not_allowed"));
        String stored = " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' AND type = ";
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.query("SELECT count()" + stored + "'from.page'").equals("1"));
        assertEquals("0", ClickHouseProbe.query("SELECT count()" + stored + "'from.elsewhere'"));
    }

    @Test
    void pathVariantsTheRestLayerRoutesToAnEndpointAuthenticateLikeIt() {
        for (String path : List.of("/v1/events;x", "/v1/events;a=b/", "/v1/batch;x", "/v1/track;y=1")) {
            given().baseUri(LocalStack.ingestUrl()).urlEncodingEnabled(false).contentType(ContentType.JSON)
                    .body("{\"type\":\"variant\",\"userId\":\"u1\",\"event\":\"e\"}").post(path)
                    .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        }
        given().baseUri(LocalStack.ingestUrl()).urlEncodingEnabled(false).header("Authorization", tenant.bearer())
                .contentType(ContentType.JSON).body("{\"type\":\"variant\"}").post("/v1/events;x")
                .then().statusCode(202).body("accepted", equalTo(1));
    }

    @Test
    void aRevokedKeyStopsWorking() {
        var key = TestTenants.createKey(tenant.id(), "write");
        TestTenants.admin().delete("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + key.id()).then().statusCode(204);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(LocalStack.ingestUrl())
                .header("Authorization", "Bearer " + key.apiKey()).contentType(ContentType.JSON).body("[]")
                .post("/v1/events").statusCode() == 401);
    }
}

package io.freshet.analytics.admin;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.freshet.eventmodel.stack.TestTenants.admin;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** Scoped keys through the admin API: made, listed without secrets, rotated and revoked one by one; scopes enforced. */
class ScopedKeysIT {

    private static int statsStatus(String apiKey) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer " + apiKey)
                .get("/v1/stats/counts").statusCode();
    }

    @Test
    void aWriteKeyCannotReadAndTheDefaultKeyDoesBoth() {
        var tenant = TestTenants.create("scopes");
        var write = TestTenants.createKey(tenant.id(), "write");
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer " + write.apiKey())
                .get("/v1/stats/counts").then().statusCode(403).body("error.code", equalTo("wrong_scope"));
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer " + write.apiKey())
                .contentType(ContentType.JSON).body("{\"query\":\"{ eventCounts { type count } }\"}").post("/graphql")
                .then().statusCode(200).body("errors[0].message", containsString("'read' scope"));
        await().atMost(Duration.ofSeconds(10)).until(() -> statsStatus(tenant.apiKey()) == 200);
        admin().get("/v1/admin/tenants/" + tenant.id() + "/api-keys").then().statusCode(200)
                .body("id", containsInAnyOrder("default", write.id()))
                .body("find { it.id == 'default' }.scopes", containsInAnyOrder("read", "write"))
                .body(not(containsString(write.apiKey()))).body(not(containsString(tenant.apiKey())))
                .body(not(containsString("hash")));
    }

    @Test
    void rotatingOneKeyKeepsItsIdAndScopesAndRevokingItEndsIt() {
        var tenant = TestTenants.create("rotate-scoped");
        var read = TestTenants.createKey(tenant.id(), "read");
        String rotated = admin().post("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + read.id() + "/rotate")
                .then().statusCode(200).body("id", equalTo(read.id())).body("scopes", containsInAnyOrder("read"))
                .extract().path("apiKey");
        await().atMost(Duration.ofSeconds(10)).until(() -> statsStatus(read.apiKey()) == 401);
        await().atMost(Duration.ofSeconds(10)).until(() -> statsStatus(rotated) == 200);
        admin().delete("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + read.id()).then().statusCode(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> statsStatus(rotated) == 401);
        admin().delete("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + read.id())
                .then().statusCode(404).body("error.code", equalTo("key_not_found"));
        await().atMost(Duration.ofSeconds(10)).until(() -> statsStatus(tenant.apiKey()) == 200); // the others still work
    }

    @Test
    void refusesBadScopesAndOrigins() {
        var tenant = TestTenants.create("bad-keys");
        for (String body : new String[]{"{}", "{\"scopes\":[]}", "{\"scopes\":[\"admin\"]}", "{\"scopes\":[\"read\",null]}"}) {
            admin().body(body).post("/v1/admin/tenants/" + tenant.id() + "/api-keys")
                    .then().statusCode(400).body("error.code", equalTo("invalid_scopes"));
        }
        admin().body("{\"scopes\":\"read\"}").post("/v1/admin/tenants/" + tenant.id() + "/api-keys")
                .then().statusCode(400).body("error.code", equalTo("invalid_json"));
        for (String origins : new String[]{"[\"*\"]", "[\"https://app.example.com/\"]", "[\"app.example.com\"]",
                "[\"https://app.example.com/path\"]", "null"}) {
            admin().body("{\"origins\":" + origins + "}").put("/v1/admin/tenants/" + tenant.id() + "/origins")
                    .then().statusCode(400).body("error.code", equalTo("invalid_origins"));
        }
        admin().body("{\"origins\":[\"https://app.example.com\",\"http://localhost:3000\"]}")
                .put("/v1/admin/tenants/" + tenant.id() + "/origins").then().statusCode(200)
                .body("allowedOrigins", containsInAnyOrder("https://app.example.com", "http://localhost:3000"));
    }
}

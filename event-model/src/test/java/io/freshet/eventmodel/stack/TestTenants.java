package io.freshet.eventmodel.stack;

import io.restassured.http.ContentType;

import java.util.UUID;

import static io.restassured.RestAssured.given;

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
        return given().baseUri(LocalStack.analyticsUrl())
                .header("Authorization", "Bearer " + LocalStack.adminToken())
                .contentType(ContentType.JSON)
                .body(rulesJson)
                .put("/v1/admin/tenants/" + tenantId + "/rules")
                .then().statusCode(200)
                .extract().path("rulesVersion");
    }

    public static TestTenant create(String prefix) {
        String id = (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
        String apiKey = given().baseUri(LocalStack.analyticsUrl())
                .header("Authorization", "Bearer " + LocalStack.adminToken())
                .contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"name\":\"" + prefix + " test\"}")
                .post("/v1/admin/tenants")
                .then().statusCode(201)
                .extract().path("apiKey");
        return new TestTenant(id, apiKey);
    }
}

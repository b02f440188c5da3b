package io.freshet.analytics.admin;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.freshet.eventmodel.stack.TestTenants.admin;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

/** The admin API against the running stack: auth, validation, and keys taking effect in the gateway. */
class TenantAdminIT {

    private static int ingestStatus(String apiKey) {
        return given().baseUri(LocalStack.ingestUrl()).header("Authorization", "Bearer " + apiKey)
                .contentType(ContentType.JSON).body("{\"type\":\"key.checked\"}")
                .post("/v1/events").statusCode();
    }

    @Test
    void refusesCallsWithoutTheAdminToken() {
        given().baseUri(LocalStack.analyticsUrl()).get("/v1/admin/tenants")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer wrong-token")
                .contentType(ContentType.JSON).body("{\"id\":\"intruder\"}")
                .post("/v1/admin/tenants").then().statusCode(401);
        var tenant = TestTenants.create("not-admin");
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .get("/v1/admin/tenants").then().statusCode(401);
    }

    @Test
    void createsTenantsWhoseKeyWorksAtTheGatewayAndIsNeverListed() {
        var tenant = TestTenants.create("admin");
        await().atMost(Duration.ofSeconds(10)).until(() -> ingestStatus(tenant.apiKey()) == 202);
        admin().get("/v1/admin/tenants").then().statusCode(200)
                .body("id", hasItem(tenant.id()))
                .body(not(containsString(tenant.apiKey())))
                .body(not(containsString("apiKeyHash")));
        admin().body("{\"id\":\"" + tenant.id() + "\"}").post("/v1/admin/tenants")
                .then().statusCode(409).body("error.code", equalTo("tenant_exists"));
    }

    @Test
    void showsOneTenantWithoutItsKeys() {
        var tenant = TestTenants.create("admin-one");
        admin().get("/v1/admin/tenants/" + tenant.id()).then().statusCode(200)
                .body("id", equalTo(tenant.id()))
                .body(not(containsString(tenant.apiKey())))
                .body(not(containsString("apiKeyHash")));
        admin().get("/v1/admin/tenants/nope-" + tenant.id())
                .then().statusCode(404).body("error.code", equalTo("tenant_not_found"));
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .get("/v1/admin/tenants/" + tenant.id()).then().statusCode(401);
    }

    @Test
    void refusesInvalidTenantIds() {
        for (String id : new String[]{"", "A", "Upper", "-dash-first", "under_score", "x".repeat(64), "a b"}) {
            admin().body("{\"id\":\"" + id + "\"}").post("/v1/admin/tenants")
                    .then().statusCode(400).body("error.code", equalTo("invalid_tenant_id"));
        }
        admin().body("not json").post("/v1/admin/tenants").then().statusCode(400);
    }

    @Test
    void rotatingAKeyRevokesTheOldOneWithoutARestart() {
        var tenant = TestTenants.create("rotate");
        await().atMost(Duration.ofSeconds(10)).until(() -> ingestStatus(tenant.apiKey()) == 202);
        String newKey = admin().post("/v1/admin/tenants/" + tenant.id() + "/keys")
                .then().statusCode(200).extract().path("apiKey");
        await().atMost(Duration.ofSeconds(10)).until(() -> ingestStatus(tenant.apiKey()) == 401);
        await().atMost(Duration.ofSeconds(10)).until(() -> ingestStatus(newKey) == 202);
        admin().post("/v1/admin/tenants/no-such-tenant/keys").then().statusCode(404);
    }

    @Test
    void versionsRuleChangesAndRefusesRulesThatAreNotAnObject() {
        var tenant = TestTenants.create("rules");
        admin().body("{\"transform\":{\"drop\":[\"email\"]}}").put("/v1/admin/tenants/" + tenant.id() + "/rules")
                .then().statusCode(200).body("rulesVersion", equalTo(1));
        admin().body("{\"transform\":{\"drop\":[\"phone\"]}}").put("/v1/admin/tenants/" + tenant.id() + "/rules")
                .then().statusCode(200).body("rulesVersion", equalTo(2));
        admin().body("[1,2]").put("/v1/admin/tenants/" + tenant.id() + "/rules")
                .then().statusCode(400).body("error.code", equalTo("invalid_rules"));
        // a rule that cannot work is refused when saved, with the rule and the reason, and changes nothing
        admin().body("{\"transform\":{\"sample\":{\"page.view\":2}}}").put("/v1/admin/tenants/" + tenant.id() + "/rules")
                .then().statusCode(400).body("error.code", equalTo("invalid_rules"))
                .body("error.message", equalTo("transform.sample.page.view: the kept fraction must be between 0 and 1"));
        admin().body("{\"validation\":{\"properties\":{\"n\":{\"type\":\"decimal\"}}}}")
                .put("/v1/admin/tenants/" + tenant.id() + "/rules")
                .then().statusCode(400).body("error.message", containsString("unknown type 'decimal'"));
        admin().get("/v1/admin/tenants").then().body("find { it.id == '" + tenant.id() + "' }.rulesVersion", equalTo(2));
    }
}

package io.freshet.analytics.contract;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Metrics name tenants and their traffic: they are served on each service's management port only, never on the port
 * that faces clients (the gateway's and the analytics API's face the internet), and health moves with them.
 */
class ManagementPortIT {

    private static final List<String> SERVICES = List.of(LocalStack.ingestUrl(), LocalStack.enricherUrl(),
            LocalStack.routerUrl(), LocalStack.analyticsUrl(), "http://127.0.0.1:" + System.getenv().getOrDefault("SOURCES_PORT", "8084"));

    @Test
    void aStrangerOnThePublicPortsSeesNoMetricsAndNoTenant() {
        var tenant = TestTenants.create("metrics-port");
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body("{\"type\":\"metrics.port\"}").post("/v1/events").then().statusCode(202);

        for (String service : SERVICES) {
            for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/metrics")) {
                given().baseUri(service).get(path).then().statusCode(404).body("error.code", equalTo("not_found"));
            }
            given().baseUri(LocalStack.managementUrl(service)).get("/q/health/ready").then().statusCode(200);
        }
        // the tenant's traffic is counted, where only Prometheus looks
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Metrics.sum(LocalStack.ingestUrl(), "freshet_ingest_bytes_total", "tenant=\"" + tenant.id() + "\"") > 0);
    }
}

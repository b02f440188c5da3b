package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.ServiceInstance;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services reach a secured Kafka with the standard KAFKA_* settings: a gateway and a router (its sink and its
 * Kafka Streams routes) on the local broker's SASL/PLAIN listener store events as on the plain one; a wrong password
 * stops a service at start with Kafka's reason.
 */
class SecuredKafkaIT {

    private static final String SASL_BOOTSTRAP = "127.0.0.1:" + System.getenv().getOrDefault("KAFKA_SASL_PORT", "9094");

    @Test
    void theServicesWorkOverSaslAndAWrongPasswordStopsThemWithKafkasReason() throws Exception {
        String password = Files.readString(LocalStack.repositoryRoot().resolve(".freshet/kafka-password")).strip();
        var tenant = TestTenants.create("sasl");
        try (var gateway = ServiceInstance.starting("ingest-gateway", "sasl", 18280, "INGEST_PORT", sasl(password));
             var router = ServiceInstance.starting("router", "sasl", 18282, "ROUTER_PORT", sasl(password))) {
            gateway.awaitReady();
            router.awaitReady();
            // the routes (Kafka Streams, configured apart from the other clients) joined their group over SASL
            await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(given().baseUri(router.managementUrl())
                    .get("/q/health/live").path("checks.find { it.name == 'Kafka Streams state health check' }.data.state")));
            given().baseUri(gateway.url()).header("Authorization", tenant.bearer()).contentType("application/json")
                    .body("[{\"type\":\"sasl.sent\"},{\"type\":\"sasl.sent\"},{\"type\":\"sasl.sent\"}]")
                    .post("/v1/events").then().statusCode(202).body("accepted", equalTo(3));
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 3);
        }

        String output = ServiceInstance.failedStart("ingest-gateway", "sasl-wrong", 18281, "INGEST_PORT", sasl("wrong"));
        assertTrue(output.contains("Cannot create the pipeline's topics on Kafka at " + SASL_BOOTSTRAP)
                && output.contains("Authentication failed"), output);
    }

    private static Map<String, String> sasl(String password) {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", SASL_BOOTSTRAP,
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"freshet\" password=\"" + password + "\";");
    }
}

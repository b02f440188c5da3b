package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.freshet.eventmodel.topic.Topics;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ingest contract against the running stack: statuses, partial acceptance, and "202 means in Kafka". */
class IngestIT {

    private static TestTenant tenant;

    @BeforeAll
    static void createTenant() {
        tenant = TestTenants.create("ingest");
    }

    private static RequestSpecification ingest() {
        return given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer());
    }

    @Test
    void acceptedEventsAreInKafkaWithTheTenantFromTheKey() {
        String given = UUID.randomUUID().toString();
        Map<TopicPartition, Long> before = TopicProbe.endOffsets(Topics.RAW);
        List<String> ids = ingest().contentType(ContentType.JSON).header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
                .body("[{\"event_id\":\"" + given + "\",\"type\":\"order.created\",\"user_id\":\"u1\",\"tenant_id\":\"someone-else\"},"
                        + "{\"type\":\"page.viewed\",\"user_id\":\"u1\"}]")
                .post("/v1/events")
                .then().statusCode(202)
                .body("accepted", equalTo(2)).body("rejected", equalTo(0)).body("ids", hasSize(2))
                .extract().path("ids");
        assertEquals(given, ids.getFirst(), "a client's event_id is kept");

        Map<String, String> inKafka = rawRecordsOf(Set.copyOf(ids), before);
        inKafka.values().forEach(value -> assertEquals(true, value.contains("\"tenant_id\":\"" + tenant.id() + "\""), value));
        inKafka.values().forEach(value -> assertEquals(true,
                value.contains("\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\""), "the sender's agent, for the enricher: " + value));
    }

    @Test
    void acceptsNdjsonAndReportsEachBadEventByIndex() {
        ingest().contentType("application/x-ndjson")
                .body("{\"type\":\"a.ok\"}\n{\"type\":\"\"}\n{\"type\":\"b.ok\",\"event_id\":\"not-a-uuid\"}\n{\"type\":\"c.ok\"}\n"
                        .getBytes(StandardCharsets.UTF_8))
                .post("/v1/events")
                .then().statusCode(202)
                .body("accepted", equalTo(2)).body("rejected", equalTo(2))
                .body("errors.index", contains(1, 2))
                .body("errors.code", contains("invalid_type", "invalid_event_id"));
    }

    @Test
    void refusesWholeRequestsWithThePreciseStatusAndCode() {
        given().baseUri(LocalStack.ingestUrl()).contentType(ContentType.JSON).body("{\"type\":\"a\"}")
                .post("/v1/events").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", "Bearer fsk_unknown").contentType(ContentType.JSON)
                .body("{\"type\":\"a\"}").post("/v1/events").then().statusCode(401);
        ingest().contentType("text/csv").body("{\"type\":\"a\"}".getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(415).body("error.code", equalTo("unsupported_media_type"));
        ingest().contentType(ContentType.JSON).body("{\"type\":")
                .post("/v1/events").then().statusCode(400).body("error.code", equalTo("malformed_json"));
        ingest().contentType(ContentType.JSON).body("")
                .post("/v1/events").then().statusCode(400).body("error.code", equalTo("empty_body"));
        ingest().contentType(ContentType.JSON).body("[{\"type\":\"9\"}]")
                .post("/v1/events").then().statusCode(400).body("error.code", equalTo("no_valid_events"));
        ingest().contentType(ContentType.JSON).body("[" + "{\"type\":\"a\"},".repeat(10_000) + "{\"type\":\"a\"}]")
                .post("/v1/events").then().statusCode(413).body("error.code", equalTo("too_many_events"));
    }

    /** A body over the size limit is refused from its Content-Length, before it is read. */
    @Test
    void refusesBodiesOverTheSizeLimit() throws Exception {
        var request = HttpRequest.newBuilder(URI.create(LocalStack.ingestUrl() + "/v1/events"))
                .header("Authorization", tenant.bearer()).header("Content-Type", "application/json")
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"a\",\"properties\":{\"x\":\""
                        + "y".repeat(6 * 1024 * 1024) + "\"}}"))
                .build();
        try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertEquals(413, client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    @Test
    void publishesItsOpenApiDocumentWithTheBearerScheme() {
        given().baseUri(LocalStack.ingestUrl()).get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/events'.post.responses.'202'.description", equalTo("Accepted events are committed to Kafka"))
                .body("components.securitySchemes.tenantKey.scheme", equalTo("bearer"));
    }

    /** Reads freshet.events.raw from the given offsets until every id is seen. */
    private static Map<String, String> rawRecordsOf(Set<String> ids, Map<TopicPartition, Long> from) {
        try (var consumer = TopicProbe.consumerFrom(from, new StringDeserializer())) {
            Map<String, String> found = new java.util.HashMap<>();
            Set<String> missing = new HashSet<>(ids);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    ids.stream().filter(id -> record.value().contains("\"event_id\":\"" + id + "\""))
                            .forEach(id -> {
                                found.put(id, record.value());
                                missing.remove(id);
                            });
                }
                return missing.isEmpty();
            });
            return found;
        }
    }
}

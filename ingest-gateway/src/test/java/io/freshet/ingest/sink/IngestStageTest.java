package io.freshet.ingest.sink;

import io.freshet.eventmodel.event.RawRecords;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.channel.InMemoryChannels;
import io.freshet.eventmodel.channel.InMemoryTenants;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.eventmodel.event.EventValidator;
import io.freshet.ingest.processing.RequestBodyParser;
import io.opentelemetry.api.trace.Span;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The gateway's processing, in the test's JVM with its channels in memory (no broker): tenants arrive through the
 * registry's channel; a request is authenticated and validated event by event; accepted events become raw records.
 * The Kafka transactions that carry the records are the real-stack tests' part (IngestIT, GatewayKillIT).
 */
@QuarkusTest
@WithTestResource(value = InMemoryChannels.class, initArgs =
        @ResourceArg(name = InMemoryChannels.OUTGOING, value = RawEventPublisher.FIRST_CHANNEL + "," + RawEventPublisher.SECOND_CHANNEL))
class IngestStageTest {

    @Inject
    @Connector("smallrye-in-memory")
    InMemoryConnector connector;
    @Inject
    TenantRegistry registry;
    @Inject
    RequestBodyParser parser;
    @Inject
    EventValidator validator;
    @Inject
    RawRecords records;
    @Inject
    ObjectMapper json;

    private InMemoryTenants tenants;

    @BeforeEach
    void tenants() {
        tenants = new InMemoryTenants(connector, registry);
    }

    @Test
    void aKeyWorksFromTheMomentItsTenantRecordArrivesAndStopsWithItsTombstone() {
        var tenant = tenants.create("keys", null);
        post(tenant.bearer(), "{\"type\":\"\"}").statusCode(400).body("error.code", equalTo("no_valid_events"));

        tenants.delete(tenant.id());
        post(tenant.bearer(), "{\"type\":\"a\"}").statusCode(401).body("error.code", equalTo("unauthorized"));
    }

    @Test
    void aRequestWithoutAValidEventIsRefusedNamingTheFirstProblem() {
        var tenant = tenants.create("invalid", null);
        post(tenant.bearer(), "[{\"type\":\"ok.type\",\"timestamp\":\"yesterday\"},{\"type\":\"9bad\"}]")
                .statusCode(400)
                .body("error.code", equalTo("no_valid_events"))
                .body("error.message", containsString("index 0"));
    }

    @Test
    void acceptedEventsBecomeRawRecordsKeyedByUserWithTheOffsetThatMadeTheirTenantKnown() throws Exception {
        var tenant = tenants.create("records", null);
        byte[] body = """
                [{"type":"order.created","user_id":"u1","properties":{"total":42}},
                 {"type":"9bad"},
                 {"type":"page.viewed","event_id":"0190f1a0-7c1e-7d3a-9b1e-2f6c3e4d5a6b"}]""".getBytes(StandardCharsets.UTF_8);
        var result = validator.validate(parser.parse(body, "application/json"), tenant.id(), Instant.now(), "curl/8");
        assertEquals(1, result.errors().size());
        assertEquals(1, result.errors().getFirst().index());

        List<Span> spans = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> raw = records.of(result.accepted(), spans);

        assertEquals(2, raw.size());
        assertEquals(2, spans.size());
        assertEquals(List.of(tenant.id() + "/u1", tenant.id() + "/0190f1a0-7c1e-7d3a-9b1e-2f6c3e4d5a6b"),
                raw.stream().map(ProducerRecord::key).toList());
        ProducerRecord<String, byte[]> order = raw.getFirst();
        assertEquals(Topics.RAW, order.topic());
        JsonNode event = json.readTree(order.value());
        assertEquals(tenant.id(), event.get("tenant_id").asText());
        assertEquals("order.created", event.get("type").asText());
        assertEquals(42, event.get("properties").get("total").asInt());
        assertEquals("curl/8", event.get("user_agent").asText());
        assertNotNull(event.get("event_id").asText());
        var offset = order.headers().lastHeader(TenantRegistry.OFFSET_HEADER);
        assertEquals(Long.toString(tenant.offset()), new String(offset.value(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutAKafkaChannelValidEventsAre503AtOnceAndLivenessSaysWhy() {
        var tenant = tenants.create("nokafka", null);
        post(tenant.bearer(), "{\"type\":\"a.b\"}")
                .statusCode(503)
                .header("Retry-After", "1")
                .body("error.code", equalTo("kafka_unavailable"))
                .body("error.message", containsString("stored none of the events"));
        given().get("/q/health/live").then().statusCode(503)
                .body("checks.find { it.name == 'raw-event-transactions' }.data.reason", containsString("not smallrye-kafka"));
    }

    private static ValidatableResponse post(String bearer, String body) {
        return given().header("Authorization", bearer).contentType("application/json").body(body)
                .post("/v1/events").then();
    }
}

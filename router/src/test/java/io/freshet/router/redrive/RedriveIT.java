package io.freshet.router.redrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `./freshet dlq redrive` sends dead letters through the pipeline again once their cause is fixed: the events a
 * tenant's rule refused are stored after the rule changed, each once, and a second redrive stores nothing twice.
 */
class RedriveIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Under the circuit breaker's 100 events: the tenant's failures do not pause it. */
    private static final int EVENTS = 20;

    @Test
    void eventsARuleRefusedAreStoredOnceWhenRedrivenAfterTheFix() throws Exception {
        TestTenant tenant = TestTenants.create("redrive");
        TestTenants.applyRules(tenant.id(), "{\"validation\": {\"required\": {\"order.created\": [\"order_id\"]}}}");
        var fromDlq = TopicProbe.endOffsets(Topics.DLQ);
        List<String> ids = Ingest.send(tenant, IntStream.range(0, EVENTS)
                .mapToObj(i -> "{\"type\": \"order.created\", \"user_id\": \"u" + i % 5 + "\", \"properties\": {\"total\": " + i + "}}")
                .collect(Collectors.joining(",", "[", "]")));
        TopicProbe.records(fromDlq, new StringDeserializer(), r -> r.key().startsWith(tenant.id() + "/"), EVENTS);
        assertEquals("0\t0", orders(tenant));

        JsonNode listed = JSON.readTree(Freshet.run("dlq", "list", "--tenant", tenant.id(), "--json"));
        assertEquals(EVENTS, listed.path("total").asInt(), listed.toString());
        assertEquals(EVENTS, listed.path("by_stage").path("enricher").path("rule_violation").asInt(), listed.toString());
        assertEquals(tenant.id(), listed.path("samples").path(0).path("tenant_id").asText());
        assertTrue(listed.path("samples").path(0).path("error_message").asText().contains("order_id"), listed.toString());

        TestTenants.applyRules(tenant.id(), "{}");
        double redrivenBefore = redriven();
        String report = Freshet.run("dlq", "redrive", "--tenant", tenant.id());
        assertTrue(report.contains("read 20 dead letters: redriven 20, already stored 0, skipped 0"), report);
        assertTrue(report.contains("of the 20 redriven: stored 20, dead-lettered again 0, pending 0"), report);
        assertEquals(EVENTS + "\t" + EVENTS, orders(tenant));
        assertEquals(Set.copyOf(ids), Set.copyOf(Arrays.asList(ClickHouseProbe.query("SELECT toString(event_id) FROM freshet.events"
                + " WHERE tenant_id = '" + tenant.id() + "' AND type = 'order.created'").split("\n"))));
        assertEquals(EVENTS, redriven() - redrivenBefore, "freshet_redrive_events_total{result=redriven}");

        JsonNode again = JSON.readTree(Freshet.run("dlq", "redrive", "--tenant", tenant.id(), "--json"));
        assertEquals("DONE", again.path("state").asText(), again.toString());
        assertEquals(EVENTS, again.path("read").asInt());
        assertEquals(EVENTS, again.path("already_stored").asInt(), again.toString());
        assertEquals(0, again.path("redriven").asInt());
        assertEquals(EVENTS + "\t" + EVENTS, orders(tenant), "nothing stored twice");
    }

    @Test
    void theDlqApiNeedsTheAdminTokenAndSaysWhatIsWrong() {
        given().baseUri(LocalStack.routerUrl()).get("/v1/admin/dlq")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        admin().queryParam("since", "yesterday").get("/v1/admin/dlq")
                .then().statusCode(400).body("error.code", equalTo("invalid_since")).body("error.message", containsString("ISO-8601"));
        admin().queryParam("reason", "broken").get("/v1/admin/dlq")
                .then().statusCode(400).body("error.code", equalTo("invalid_reason")).body("error.message", containsString("rule_violation"));
        admin().contentType(ContentType.JSON).body("{\"tenant\": \"acme\", \"reasn\": \"rule_violation\"}").post("/v1/admin/dlq/redrives")
                .then().statusCode(400).body("error.code", equalTo("invalid_redrive")).body("error.message", containsString("reasn"));
        admin().contentType(ContentType.JSON).body("{\"since\": \"2026-01-01\"}").post("/v1/admin/dlq/redrives")
                .then().statusCode(400).body("error.code", equalTo("invalid_since"));
        admin().get("/v1/admin/dlq/redrives/no-such-redrive")
                .then().statusCode(404).body("error.code", equalTo("unknown_redrive"));
    }

    /** The tenant's orders in freshet.events, as "rows<TAB>ids" (the rules' probe events are of another type). */
    private static String orders(TestTenant tenant) {
        return ClickHouseProbe.query("SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '"
                + tenant.id() + "' AND type = 'order.created'");
    }

    private static double redriven() {
        return Metrics.sum(LocalStack.routerUrl(), "freshet_redrive_events_total", "result=\"redriven\"");
    }

    private static RequestSpecification admin() {
        return given().baseUri(LocalStack.routerUrl()).auth().oauth2(LocalStack.adminToken());
    }
}

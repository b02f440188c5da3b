package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.ServiceInstance;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.router.stream.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One trace per event across the real services, exported over OTLP to an in-memory receiver: the gateway's HTTP
 * request span, its send span, the enricher's process span (a child through the raw record's headers), and the
 * router's ClickHouse insert span, which links to the process span its enriched record carried. The stack's enricher
 * and router are swapped for traced instances with their instance id, which take their partitions over at once, and
 * are restored afterwards.
 */
class TracingIT {

    @Test
    void oneTracePerEventFromTheRequestToTheClickHouseInsert() throws Exception {
        var tenant = TestTenants.create("traced");
        String firstId = UUID.randomUUID().toString();
        String secondId = UUID.randomUUID().toString();
        try (var receiver = new OtlpReceiver()) {
            var tracing = Map.of("OTEL_SDK_DISABLED", "false", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_BSP_SCHEDULE_DELAY", "100ms");
            try {
                Freshet.kill("enricher");
                Freshet.kill("router");
                try (var gateway = ServiceInstance.starting("ingest-gateway", "traced", 18180, "INGEST_PORT", tracing);
                     var enricher = ServiceInstance.starting("enricher", LocalStack.INSTANCE_ID, 18181, "ENRICHER_PORT", tracing);
                     var router = ServiceInstance.starting("router", LocalStack.INSTANCE_ID, 18182, "ROUTER_PORT", tracing)) {
                    gateway.awaitReady();
                    enricher.awaitReady();
                    router.awaitReady();
                    given().baseUri(gateway.url()).header("Authorization", tenant.bearer()).contentType("application/json")
                            .body("[{\"event_id\":\"" + firstId + "\",\"type\":\"trace.first\"},"
                                    + "{\"event_id\":\"" + secondId + "\",\"type\":\"trace.second\"}]")
                            .post("/v1/events").then().statusCode(202);
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                        assertChain(receiver, tenant.id(), firstId, "trace.first");
                        assertChain(receiver, tenant.id(), secondId, "trace.second");
                    });
                }
            } finally {
                Freshet.run("up", "enricher", "router");
            }
        }
        assertEquals(2, ClickHouseProbe.eventsOf(tenant.id()));
    }

    private static void assertChain(OtlpReceiver receiver, String tenant, String eventId, String type) {
        ReceivedSpan send = one(receiver.spans(s -> s.name().equals("freshet.events.raw send")
                && eventId.equals(s.attribute("freshet.event.id"))), "the gateway's send span of " + eventId);
        assertEquals("ingest-gateway", send.service());
        assertEquals("SPAN_KIND_PRODUCER", send.kind());
        assertEquals(tenant, send.attribute("freshet.tenant"));
        assertEquals(type, send.attribute("freshet.event.type"));

        ReceivedSpan request = one(receiver.spans(s -> s.spanId().equals(send.parentSpanId())), "the send span's parent");
        assertEquals("SPAN_KIND_SERVER", request.kind(), "the send span is the HTTP request's child");
        assertEquals(send.traceId(), request.traceId());
        assertEquals(tenant, request.attribute("freshet.tenant"));

        ReceivedSpan process = one(receiver.spans(s -> s.name().equals("freshet.events.raw process")
                && send.spanId().equals(s.parentSpanId())), "the enricher's process span of " + eventId);
        assertEquals("enricher", process.service());
        assertEquals(send.traceId(), process.traceId(), "the trace goes on through the raw record's headers");
        assertEquals(tenant, process.attribute("freshet.tenant"));
        assertEquals(type, process.attribute("freshet.event.type"));
        assertEquals(eventId, process.attribute("freshet.event.id"));
        assertEquals("enriched", process.attribute("freshet.outcome"));

        ReceivedSpan insert = one(receiver.spans(s -> s.links().contains(process.traceId() + "/" + process.spanId())),
                "the ClickHouse insert linked to " + eventId);
        assertEquals("router", insert.service());
        assertEquals("INSERT events", insert.name());
        assertEquals("clickhouse", insert.attribute("db.system.name"));
    }

    private static ReceivedSpan one(List<ReceivedSpan> spans, String what) {
        assertEquals(1, spans.size(), () -> "expected one span: " + what + "; got " + spans);
        return spans.getFirst();
    }
}

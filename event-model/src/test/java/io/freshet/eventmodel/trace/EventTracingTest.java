package io.freshet.eventmodel.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The span chain of one event, hop by hop through record headers, recorded by an in-memory exporter. */
class EventTracingTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final EventTracing tracing = new EventTracing(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void eachHopIsAChildOfTheSpanItsRecordCarriesAndTheInsertLinksToTheRecords() {
        var rawHeaders = new RecordHeaders();
        Span request = sdk.getTracer("test").spanBuilder("POST /v1/events").setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope ignored = request.makeCurrent()) {
            tracing.send("freshet.events.raw", rawHeaders, "acme", "order.created", "e-1").end();
        }
        request.end();

        Span process = tracing.process(record("freshet.events.raw", rawHeaders));
        EventTracing.describe(process, "acme", "order.created", "e-1");
        var enrichedHeaders = new RecordHeaders();
        tracing.inject(process, enrichedHeaders);
        process.end();

        var untraced = record("freshet.events.enriched", new RecordHeaders());
        tracing.insert("events", "freshet.events.enriched-0", List.of(record("freshet.events.enriched", enrichedHeaders), untraced)).end();

        SpanData send = span("freshet.events.raw send");
        SpanData processed = span("freshet.events.raw process");
        SpanData insert = span("INSERT events");
        assertEquals(request.getSpanContext().getSpanId(), send.getParentSpanId(), "the send span is the request's child");
        assertEquals(SpanKind.PRODUCER, send.getKind());
        assertEquals("acme", send.getAttributes().get(EventTracing.TENANT));
        assertEquals("order.created", send.getAttributes().get(EventTracing.EVENT_TYPE));
        assertEquals(send.getTraceId(), processed.getTraceId(), "one trace per event across the Kafka hop");
        assertEquals(send.getSpanId(), processed.getParentSpanId());
        assertEquals("e-1", processed.getAttributes().get(EventTracing.EVENT_ID));
        assertEquals(List.of(processed.getTraceId() + "/" + processed.getSpanId()),
                insert.getLinks().stream().map(LinkData::getSpanContext).map(c -> c.getTraceId() + "/" + c.getSpanId()).toList(),
                "the insert links to the span each traced record carries, and skips records without one");
        assertEquals(2L, insert.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("db.operation.batch.size")));
    }

    @Test
    void tracingOffWritesNoHeaders() {
        var off = new EventTracing(OpenTelemetry.noop());
        var headers = new RecordHeaders();
        off.send("freshet.events.raw", headers, "acme", "order.created", "e-1").end();
        assertNull(headers.lastHeader("traceparent"));
        assertTrue(exporter.getFinishedSpanItems().isEmpty());
    }

    private SpanData span(String name) {
        Optional<SpanData> found = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst();
        assertTrue(found.isPresent(), () -> "no span " + name + " in " + exporter.getFinishedSpanItems());
        return found.get();
    }

    private static ConsumerRecord<String, String> record(String topic, Headers headers) {
        return new ConsumerRecord<>(topic, 0, 7L, 0L, TimestampType.CREATE_TIME, 0, 0, "key", "value", headers, Optional.empty());
    }
}

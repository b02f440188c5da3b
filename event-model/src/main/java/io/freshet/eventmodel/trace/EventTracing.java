package io.freshet.eventmodel.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.semconv.incubating.DbIncubatingAttributes.DbSystemNameIncubatingValues;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MessagingOperationTypeIncubatingValues;
import io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MessagingSystemIncubatingValues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.StreamSupport;

import static io.opentelemetry.semconv.DbAttributes.DB_COLLECTION_NAME;
import static io.opentelemetry.semconv.DbAttributes.DB_OPERATION_BATCH_SIZE;
import static io.opentelemetry.semconv.DbAttributes.DB_OPERATION_NAME;
import static io.opentelemetry.semconv.DbAttributes.DB_SYSTEM_NAME;
import static io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MESSAGING_DESTINATION_NAME;
import static io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MESSAGING_DESTINATION_PARTITION_ID;
import static io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MESSAGING_KAFKA_OFFSET;
import static io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MESSAGING_OPERATION_TYPE;
import static io.opentelemetry.semconv.incubating.MessagingIncubatingAttributes.MESSAGING_SYSTEM;

/**
 * One trace per event across the pipeline: each hop's span travels to the next in the Kafka record's headers (W3C
 * trace context), and the ClickHouse insert, which stores many events at once, links to the spans of its records.
 * Span and attribute names follow OpenTelemetry's messaging and database conventions, plus the tenant and event type.
 * With tracing off (the default) the API is a no-op and costs next to nothing.
 */
@ApplicationScoped
public class EventTracing {

    public static final AttributeKey<String> TENANT = AttributeKey.stringKey("freshet.tenant");
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("freshet.event.type");
    public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("freshet.event.id");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("freshet.outcome");

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /**
     * With the SDK disabled Quarkus still hands out a working SDK without exporters (spans recorded, headers written
     * for nothing): tracing off means OpenTelemetry's no-op here.
     */
    @Inject
    public EventTracing(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean disabled) {
        this(disabled ? OpenTelemetry.noop() : openTelemetry);
    }

    public EventTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.freshet");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** A producer span for one event, child of the current span (the HTTP request); its context goes into the headers. */
    public Span send(String topic, Headers headers, String tenant, String type, String eventId) {
        Span span = messaging(tracer.spanBuilder(topic + " send").setSpanKind(SpanKind.PRODUCER), topic, MessagingOperationTypeIncubatingValues.SEND)
                .setAttribute(TENANT, tenant).setAttribute(EVENT_TYPE, type).setAttribute(EVENT_ID, eventId)
                .startSpan();
        inject(span, headers);
        return span;
    }

    /**
     * A consumer span for one record, child of the span its headers carry. The caller adds what it learns of the
     * event ({@link #describe}) and passes the span on to the records it writes ({@link #inject}).
     */
    public Span process(ConsumerRecord<?, ?> record) {
        Context parent = propagator.extract(Context.root(), record.headers(), HEADERS);
        return messaging(tracer.spanBuilder(record.topic() + " process").setSpanKind(SpanKind.CONSUMER).setParent(parent),
                record.topic(), MessagingOperationTypeIncubatingValues.PROCESS)
                .setAttribute(MESSAGING_DESTINATION_PARTITION_ID, String.valueOf(record.partition()))
                .setAttribute(MESSAGING_KAFKA_OFFSET, record.offset())
                .startSpan();
    }

    public static void describe(Span span, String tenant, String type, String eventId) {
        if (tenant != null) {
            span.setAttribute(TENANT, tenant);
        }
        if (type != null) {
            span.setAttribute(EVENT_TYPE, type);
        }
        if (eventId != null) {
            span.setAttribute(EVENT_ID, eventId);
        }
    }

    /** Writes the span's context into the headers of a record it produces. */
    public void inject(Span span, Headers headers) {
        propagator.inject(Context.root().with(span), headers, HEADERS);
    }

    /**
     * A client span for one ClickHouse insert of many records, linked to the span each record carries (the messaging
     * conventions' batch pattern: the insert is its own trace, each event's trace points to it through the link).
     *
     * @param partitions the source partitions of the records, comma-separated
     */
    public Span insert(String table, String partitions, List<? extends ConsumerRecord<?, ?>> records) {
        Span span = tracer.spanBuilder("INSERT " + table).setSpanKind(SpanKind.CLIENT)
                .setAttribute(DB_SYSTEM_NAME, DbSystemNameIncubatingValues.CLICKHOUSE).setAttribute(DB_OPERATION_NAME, "INSERT")
                .setAttribute(DB_COLLECTION_NAME, table).setAttribute(DB_OPERATION_BATCH_SIZE, (long) records.size())
                .setAttribute(MESSAGING_DESTINATION_PARTITION_ID, partitions)
                .startSpan();
        if (span.isRecording()) { // the sampler does not look at links: read the records' headers only for a kept span
            for (ConsumerRecord<?, ?> record : records) {
                SpanContext carried = Span.fromContext(propagator.extract(Context.root(), record.headers(), HEADERS)).getSpanContext();
                if (carried.isValid()) {
                    span.addLink(carried);
                }
            }
        }
        return span;
    }

    /** Ends the span as failed, with the failure recorded on it. */
    public static void fail(Span span, Throwable failure) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, failure.toString());
        span.end();
    }

    private static SpanBuilder messaging(SpanBuilder builder, String topic, String operation) {
        return builder.setAttribute(MESSAGING_SYSTEM, MessagingSystemIncubatingValues.KAFKA)
                .setAttribute(MESSAGING_OPERATION_TYPE, operation).setAttribute(MESSAGING_DESTINATION_NAME, topic);
    }

    private static final KafkaHeaders HEADERS = new KafkaHeaders();

    /** Trace context in Kafka headers: one header per propagated field, replacing an older value. */
    private static final class KafkaHeaders implements TextMapGetter<Headers>, TextMapSetter<Headers> {
        @Override
        public void set(Headers headers, String key, String value) {
            if (headers != null) {
                headers.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public Iterable<String> keys(Headers headers) {
            return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    }
}

package io.freshet.enricher.processing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The enricher on the running stack: raw JSON in, Avro out, bad records to the DLQ with their reason. */
class EnricherIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void enrichesARawEventIntoAnAvroRecordWithItsSource() throws Exception {
        var tenant = TestTenants.create("enricher");
        String eventId = UUID.randomUUID().toString();
        String key = tenant.id() + "/u7";
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        var sent = send(key, """
                {"tenant_id":"%s","event_id":"%s","type":"signup.completed","timestamp":"2026-03-01T10:00:00Z",
                 "received_at":"2026-03-01T10:00:02.5Z","user_id":"u7","properties":{"plan":"pro"}}"""
                .formatted(tenant.id(), eventId));

        EnrichedEvent event = TopicProbe.firstRecord(from, key, EnrichedRecords.deserializer()).value();
        assertEquals(tenant.id(), event.getTenantId());
        assertEquals(eventId, event.getEventId());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), event.getEventTime());
        assertEquals(2500, event.getIngestLagMs());
        assertEquals("{\"plan\":\"pro\"}", event.getProperties());
        assertEquals(sent.partition(), event.getRawPartition());
        assertEquals(sent.offset(), event.getRawOffset());
    }

    @Test
    void aRecordThatIsNotJsonGoesToTheDlqAtOnceWithFullMetadata() throws Exception {
        String key = "dlq-" + UUID.randomUUID();
        var from = TopicProbe.endOffsets(Topics.DLQ);
        var sent = send(key, "this is not json");
        JsonNode dead = JSON.readTree(TopicProbe.firstRecord(from, key, new StringDeserializer()).value());
        assertEquals("this is not json", dead.path("payload").asText());
        assertEquals("enricher", dead.path("stage").asText());
        assertEquals(InvalidRawEventException.class.getName(), dead.path("error_class").asText());
        assertTrue(dead.path("error_message").asText().contains("Unrecognized token"), dead.toString());
        assertEquals(1, dead.path("attempts").asInt(), "no retry can fix bytes that are not JSON");
        assertEquals("invalid_event", dead.path("reason").asText());
        assertEquals(Topics.RAW, dead.path("source_topic").asText());
        assertEquals(sent.partition(), dead.path("source_partition").asInt());
        assertEquals(sent.offset(), dead.path("source_offset").asLong());
        assertTrue(Instant.parse(dead.path("failed_at").asText()).isAfter(Instant.now().minusSeconds(60)), dead.toString());
        assertTrue(dead.path("tenant_id").isMissingNode(), "no tenant can be read from it");
    }

    @Test
    void anEventOfAnUnknownTenantGoesToTheDlqAfterItsRetries() throws Exception {
        String key = "ghost/" + UUID.randomUUID();
        var from = TopicProbe.endOffsets(Topics.DLQ);
        send(key, "{\"tenant_id\":\"ghost-tenant\",\"event_id\":\"" + UUID.randomUUID()
                + "\",\"type\":\"a\",\"received_at\":\"2026-03-01T10:00:00Z\"}");
        var record = TopicProbe.firstRecord(from, key, new StringDeserializer());
        JsonNode dead = JSON.readTree(record.value());
        assertEquals("Unknown tenant 'ghost-tenant'", dead.path("error_message").asText());
        assertEquals("ghost-tenant", dead.path("tenant_id").asText());
        assertEquals(3, dead.path("attempts").asInt());
        assertEquals("unknown_tenant", dead.path("reason").asText(), "a record that does not say when its tenant was known");
        assertEquals("Unknown tenant 'ghost-tenant'", header(record, "dead-letter-reason"));
    }

    @Test
    void anEventWhoseTenantWasDeletedAfterTheGatewayKnewItIsDeadLetteredAsDeleted() throws Exception {
        var tenant = TestTenants.create("deleted");
        long deletedAt = TopicProbe.send(Topics.TENANTS, tenant.id(), null).offset();
        var dead = deadLetterOf(tenant.id(), deletedAt - 1);
        assertEquals("tenant_deleted", dead.path("reason").asText(), dead.toString());
        assertEquals("Tenant '" + tenant.id() + "' was deleted after the gateway accepted the event", dead.path("error_message").asText());
    }

    /** A record naming a tenants offset that does not exist must not wedge the enricher: it waits its bound, then gives up. */
    @Test
    void anEventNamingATenantsOffsetPastTheTopicsEndIsDeadLetteredAsUnknown() throws Exception {
        var dead = deadLetterOf("ghost-" + UUID.randomUUID().toString().substring(0, 8), 1L << 40);
        assertEquals("unknown_tenant", dead.path("reason").asText(), dead.toString());
        assertTrue(dead.path("error_message").asText().endsWith("past its end"), dead.toString());
    }

    /** The dead letter of a raw event of the tenant whose record says the gateway knew the tenant at that tenants offset. */
    private static JsonNode deadLetterOf(String tenantId, long tenantsOffset) throws Exception {
        var raw = RawEvents.record(tenantId, "u1", UUID.randomUUID().toString(), "a");
        raw.headers().add(TenantRegistry.OFFSET_HEADER, Long.toString(tenantsOffset).getBytes(StandardCharsets.UTF_8));
        var from = TopicProbe.endOffsets(Topics.DLQ);
        TopicProbe.sendAll(List.of(raw));
        return JSON.readTree(TopicProbe.firstRecord(from, raw.key(), new StringDeserializer()).value());
    }

    @Test
    void anEventSentLaterThanTheGracePeriodGoesToTheLateTopic() throws Exception {
        var tenant = TestTenants.create("late");
        String key = tenant.id() + "/u1";
        var fromLate = TopicProbe.endOffsets(Topics.LATE);
        send(key, """
                {"tenant_id":"%s","event_id":"%s","type":"offline.synced","timestamp":"2026-03-01T07:00:00Z",
                 "received_at":"2026-03-01T10:00:00Z","user_id":"u1"}""".formatted(tenant.id(), UUID.randomUUID()));
        EnrichedEvent late = TopicProbe.firstRecord(fromLate, key, EnrichedRecords.deserializer()).value();
        assertEquals(3 * 3600_000L, late.getIngestLagMs());
    }

    private static RecordMetadata send(String key, String value) throws Exception {
        return TopicProbe.send(Topics.RAW, key, value);
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "<no " + name + " header>" : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package io.freshet.enricher.schema;

import io.freshet.enricher.RawRecords;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Schema evolution v1 to v2: a record an enricher of version 1 wrote and one the running enricher writes flow side
 * by side on freshet.events.enriched, are read alike by a v2 consumer, and both land in ClickHouse.
 */
class SchemaEvolutionIT {

    @Test
    void version1AndVersion2RecordsFlowSideBySide() throws Exception {
        var tenant = TestTenants.create("evolution");
        var from = TopicProbe.endOffsets(Topics.ENRICHED);
        String v1Id = UUID.randomUUID().toString();
        writeAsVersion1(tenant.id(), v1Id);
        String v2Id = RawRecords.send(tenant.id(), "new", "signup.completed", "{}", Instant.now(),
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");

        List<EnrichedEvent> events = TopicProbe.records(from, EnrichedRecords.deserializer(),
                r -> tenant.id().equals(r.value().getTenantId()), 2).stream().map(r -> r.value()).toList();
        EnrichedEvent v1 = events.stream().filter(e -> e.getEventId().equals(v1Id)).findFirst().orElseThrow();
        EnrichedEvent v2 = events.stream().filter(e -> e.getEventId().equals(v2Id)).findFirst().orElseThrow();
        assertEquals(1, v1.getSchemaVersion());
        assertNull(v1.getBrowser(), "a v2 field reads as its default in a v1 record");
        assertEquals(Map.of(), v1.getTags());
        assertEquals(2, v2.getSchemaVersion());
        assertEquals("Firefox", v2.getBrowser());

        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 2);
        assertEquals("1\t\n2\tFirefox", ClickHouseProbe.query("SELECT schema_version, browser FROM freshet.events "
                + "WHERE tenant_id = '" + tenant.id() + "' ORDER BY schema_version"));
    }

    /** As the enricher of version 1 did: its schema registered (auto) in the registry, the record carrying its id. */
    private static void writeAsVersion1(String tenant, String eventId) throws Exception {
        Schema v1;
        try (InputStream in = SchemaEvolutionIT.class.getResourceAsStream("/avro/EnrichedEvent-v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord record = new GenericData.Record(v1);
        record.put("tenant_id", tenant);
        record.put("event_id", eventId);
        record.put("type", "signup.completed");
        record.put("event_time", Instant.now().toEpochMilli());
        record.put("received_at", Instant.now().toEpochMilli());
        record.put("user_id", "old");
        record.put("properties", "{}");
        record.put("ingest_lag_ms", 0L);
        record.put("rules_version", 0);
        record.put("schema_version", 1);
        record.put("raw_partition", 0);
        record.put("raw_offset", 0L);
        EnrichedRecords.sendInTheOldFormat(List.of(new ProducerRecord<>(Topics.ENRICHED, tenant + "/old", record)));
    }
}

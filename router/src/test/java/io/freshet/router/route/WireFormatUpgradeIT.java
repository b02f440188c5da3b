package io.freshet.router.route;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An installation upgrading to the Confluent wire format: the enriched topic holds records of the old format (the
 * schema's id in Apicurio's headers, the body bare Avro) written before the upgrade, then records of the new one.
 * The router stores each once, the billing route counts both (its records carry no stale id header), and a replay
 * over both restores them.
 */
class WireFormatUpgradeIT {

    private static final int EACH = 100;

    @Test
    void recordsOfTheOldFormatAndTheNewAreStoredOnceBilledAndReplayed() throws Exception {
        String tenant = TestTenants.create("upgrade").id();
        Map<TopicPartition, Long> start = TopicProbe.endOffsets(Topics.ENRICHED);
        Instant before = Instant.now().minusSeconds(1);

        writeAsBeforeTheUpgrade(tenant);
        List<ProducerRecord<String, String>> after = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            after.add(RawEvents.record(tenant, "new" + i % 5, UUID.randomUUID().toString(), "upgrade.new"));
        }
        TopicProbe.sendAll(after); // enriched by the running enricher, in the new format

        ClickHouseProbe.awaitStoredOnce(tenant, 2 * EACH);
        List<ConsumerRecord<String, byte[]>> records = TopicProbe.records(start, new ByteArrayDeserializer(),
                record -> record.key().startsWith(tenant + "/"), 2 * EACH);
        long confluent = records.stream().filter(r -> r.value()[0] == 0 && !r.headers().iterator().hasNext()).count();
        long old = records.stream().filter(r -> r.headers().lastHeader("apicurio.value.globalId") != null).count();
        assertEquals(EACH + " new, " + EACH + " old", confluent + " new, " + old + " old", "both formats are on the topic");

        await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.billedEventsOf(tenant) == 2 * EACH);

        ClickHouseProbe.query("ALTER TABLE freshet.events DELETE WHERE tenant_id = '" + tenant + "' SETTINGS mutations_sync = 2");
        String replayed = Freshet.run("replay", "--tenant", tenant, "--from", before.toString());
        assertTrue(replayed.contains("read " + 2 * EACH + " records: restored " + 2 * EACH + " rows"), replayed);
        assertEquals(2 * EACH + "\t" + 2 * EACH, ClickHouseProbe.rowsAndIdsOf(tenant));
    }

    /** As Freshet's enricher wrote them before the upgrade. */
    private static void writeAsBeforeTheUpgrade(String tenant) throws Exception {
        Instant now = Instant.now();
        List<ProducerRecord<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            records.add(new ProducerRecord<>(Topics.ENRICHED, tenant + "/old" + i % 5, EnrichedEvent.newBuilder()
                    .setTenantId(tenant).setEventId(UUID.randomUUID().toString()).setType("upgrade.old")
                    .setEventTime(now).setReceivedAt(now).setUserId("old" + i % 5).setProperties("{}")
                    .setIngestLagMs(0).setRawPartition(0).setRawOffset(i).setTags(Map.of()).build()));
        }
        EnrichedRecords.sendInTheOldFormat(records);
    }
}

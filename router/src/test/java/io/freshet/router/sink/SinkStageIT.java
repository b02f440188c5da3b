package io.freshet.router.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.channel.InMemoryChannels;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.router.deadletter.RejectedRows;
import io.freshet.router.stream.LateSink;
import io.freshet.router.stream.LiveSink;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.inject.Inject;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router's processing, in the test's JVM with its channels in memory: a batch's rows land in the stack's ClickHouse once however often the batch is re-formed and
 * inserted again, and rows ClickHouse refuses leave through the dead-letter channel with its reason. Committing the
 * intents and offsets through the lanes' consumers is the real-stack tests' part (KillIT, ScaleOutIT).
 */
@QuarkusTest
@TestProfile(SinkStageIT.Alone.class)
@WithTestResource(value = InMemoryChannels.class, initArgs = {
        @ResourceArg(name = InMemoryChannels.INCOMING, value = LiveSink.CHANNEL + "," + LateSink.CHANNEL),
        @ResourceArg(name = InMemoryChannels.OUTGOING, value = "rejected-rows,redriven-events")})
class SinkStageIT {

    private static final String REFUSED_TYPE = "stage.refused.by.clickhouse";
    private static final int PARTITION = 0;

    /** Beside a router running on this machine: a name of its own, and its routes (Kafka Streams) kept off the stack's Kafka. */
    public static class Alone implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("freshet.router.instance-id", "stage-test",
                    "quarkus.kafka-streams.bootstrap-servers", "127.0.0.1:9",
                    "quarkus.log.category.\"org.apache.kafka.clients.NetworkClient\".level", "ERROR");
        }
    }

    @Inject
    ClickHouseBatchSink sink;
    @Inject
    RejectedRows rejectedRows;
    @Inject
    @Connector("smallrye-in-memory")
    InMemoryConnector connector;
    @Inject
    ObjectMapper json;

    private final String tenant = TestTenants.newId("sink-stage");
    /** Far past any offset of the stack's own partitions: the test's insert tokens are its own. */
    private final long base = 1_000_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000_000L);

    @AfterEach
    void acceptAllTypes() {
        ClickHouseProbe.query("ALTER TABLE freshet.events DROP CONSTRAINT IF EXISTS stage_refused_type");
    }

    @Test
    void aBatchReFormedFromItsManifestAfterACrashIsStoredOnce() throws Exception {
        var manifest = new Manifest(Topics.ENRICHED, List.of(new Manifest.Member(PARTITION, base, base + 39),
                new Manifest.Member(PARTITION + 1, base, base + 9)));
        List<ConsumerRecord<String, SpecificRecord>> batch = new ArrayList<>(records(PARTITION, base, base + 39, "a.b"));
        batch.addAll(records(PARTITION + 1, base, base + 9, "a.b"));
        sink.insert(SinkTable.EVENTS, batch, manifest.deduplicationToken());

        // the router died before moving the offsets: the next owner finds the manifest and re-forms the same batch
        var found = Manifest.decode(new TopicPartition(Topics.ENRICHED, PARTITION + 1), manifest.encode()).orElseThrow();
        sink.insert(SinkTable.EVENTS, batch, found.deduplicationToken());
        assertEquals("50\t50", rowsAndIds(), "ClickHouse dropped the second insert by its token");

        var next = new Manifest(Topics.ENRICHED, List.of(new Manifest.Member(PARTITION, base + 40, base + 49)));
        sink.insert(SinkTable.EVENTS, records(PARTITION, base + 40, base + 49, "a.b"), next.deduplicationToken());
        assertEquals("60\t60", rowsAndIds());
    }

    @Test
    void rowsClickHouseRefusesLeaveThroughTheDeadLetterChannelAndTheRestOfTheBatchIsStored() throws Exception {
        ClickHouseProbe.query("ALTER TABLE freshet.events ADD CONSTRAINT stage_refused_type CHECK type != '" + REFUSED_TYPE + "'");
        List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>(records(PARTITION, base, base + 9, "a.b"));
        records.set(3, records(PARTITION, base + 3, base + 3, REFUSED_TYPE).getFirst());
        var manifest = new Manifest(Topics.ENRICHED, List.of(new Manifest.Member(PARTITION, base, base + 9)));

        var rejected = sink.insert(SinkTable.EVENTS, records, manifest.deduplicationToken());
        rejectedRows.send(rejected);

        List<? extends Message<ProducerRecord<String, byte[]>>> letters = connector.<ProducerRecord<String, byte[]>>sink("rejected-rows").received();
        assertEquals(1, letters.size());
        ProducerRecord<String, byte[]> letter = letters.getFirst().getPayload();
        assertEquals(Topics.DLQ, letter.topic());
        JsonNode value = json.readTree(letter.value());
        assertEquals("row_refused", value.get("reason").asText());
        assertEquals(tenant, value.get("tenant_id").asText());
        assertEquals(base + 3, value.get("source_offset").asLong());
        assertTrue(value.get("error_message").asText().contains("stage_refused_type"), value.get("error_message").asText());
        assertEquals("9\t9", rowsAndIds());
    }

    private String rowsAndIds() {
        return ClickHouseProbe.query("SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "'");
    }

    private List<ConsumerRecord<String, SpecificRecord>> records(int partition, long from, long to, String type) {
        Instant now = Instant.now();
        return LongStream.rangeClosed(from, to).mapToObj(offset -> new ConsumerRecord<String, SpecificRecord>(Topics.ENRICHED,
                partition, offset, tenant + "/u1", EnrichedEvent.newBuilder()
                .setTenantId(tenant).setEventId(UUID.nameUUIDFromBytes((tenant + partition + "/" + offset).getBytes(StandardCharsets.UTF_8)).toString()).setType(type)
                .setEventTime(now).setReceivedAt(now).setUserId("u1").setProperties("{}")
                .setIngestLagMs(0).setRawPartition(partition).setRawOffset(offset).setTags(Map.of()).build())).toList();
    }
}

package io.freshet.enricher.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.enricher.dedup.SeenEventIds;
import io.freshet.enricher.session.UserSessions;
import io.freshet.eventmodel.channel.InMemoryChannels;
import io.freshet.eventmodel.channel.InMemoryTenants;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.WireFormat;
import io.freshet.eventmodel.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.inject.Inject;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The enricher's processing of one raw batch, in the test's JVM with its channels in memory: tenants arrive through the
 * registry's channel, a batch of raw records becomes what its transaction writes (enriched, late, dead letters, the
 * changelogs). The schemas are the stack's registry's (the Avro records carry their ids). The Kafka transaction around
 * it is the real-stack tests' part (EnricherIT, EnricherKillIT).
 */
@QuarkusTest
@TestProfile(EnrichmentStageIT.OwnState.class)
@WithTestResource(value = InMemoryChannels.class, initArgs = {
        @ResourceArg(name = InMemoryChannels.INCOMING, value = RawEventStream.RAW),
        @ResourceArg(name = InMemoryChannels.OUTGOING, value = RawEventStream.OUT)})
class EnrichmentStageIT {

    private static final int PARTITION = 3;
    private static final String PIXEL_CHROME = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36";

    /** An instance id and a state directory of its own, beside an enricher running on this machine. */
    public static class OwnState implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("freshet.enricher.instance-id", "stage-test",
                        "freshet.enricher.state-dir", Files.createTempDirectory("enricher-stage").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    @Connector("smallrye-in-memory")
    InMemoryConnector connector;
    @Inject
    TenantRegistry registry;
    @Inject
    BatchEnricher enricher;
    @Inject
    UserSessions sessions;
    @Inject
    SeenEventIds seenIds;
    @Inject
    MeterRegistry meters;
    @Inject
    ObjectMapper json;

    private InMemoryTenants tenants;
    private long nextOffset;

    @BeforeEach
    void ownThePartition() {
        tenants = new InMemoryTenants(connector, registry);
        // as EnricherState does on assignment, from changelogs that are empty here
        sessions.restore(PARTITION, List.of());
        seenIds.restore(PARTITION, List.of(), 0);
        seenIds.caughtUp(PARTITION);
    }

    @Test
    void eventsAreEnrichedOrLateAndWhatCannotBeEnrichedIsDeadLetteredWithItsReason() throws Exception {
        var tenant = tenants.create("stage", null);
        var gone = tenants.create("gone", null);
        tenants.delete(gone.id());
        Instant now = Instant.now();

        EnrichedBatch batch = enricher.enrich(List.of(
                raw(tenant.id(), "u1", "page.viewed", now.minusSeconds(5), now, PIXEL_CHROME, tenant.offset()),
                raw(tenant.id(), "u2", "page.viewed", now.minus(Duration.ofHours(3)), now, null, tenant.offset()),
                record("k", "{not json"),
                raw(gone.id(), "u3", "a.b", now, now, null, gone.offset()),
                raw(TestTenants.newId("nobody"), "u4", "a.b", now, now, null, null)));

        Map<String, List<ProducerRecord<String, byte[]>>> byTopic = byTopic(batch.records());
        GenericRecord phone = avro(byTopic.get(Topics.ENRICHED).getFirst());
        assertEquals(tenant.id(), phone.get("tenant_id").toString());
        assertEquals("Chrome", phone.get("browser").toString());
        assertEquals("Phone", phone.get("device_class").toString());
        assertEquals(PARTITION, phone.get("raw_partition"));
        assertEquals(true, phone.get("session_derived"), "no session_id sent: derived from the user's activity");
        assertEquals("u2", avro(byTopic.get(Topics.LATE).getFirst()).get("user_id").toString());
        assertEquals(List.of("invalid_event", "tenant_deleted", "unknown_tenant"),
                byTopic.get(Topics.DLQ).stream().map(this::reason).toList());
        assertEquals(2, byTopic.get(Topics.ENRICHER_SESSIONS).size(), "a derived session each for u1 and u2");
        assertEquals(1, batch.idChangelog().size(), "one changelog record for the partition's new ids");
    }

    @Test
    void aCopyOfAnEventIsPassedOnOnceWithinABatchAndAfterItsBatchCommitted() throws Exception {
        var tenant = tenants.create("copies", null);
        Instant now = Instant.now();
        var first = raw(tenant.id(), "u1", "a.b", now, now, null, tenant.offset());
        var copy = copyOf(first);

        EnrichedBatch batch = enricher.enrich(List.of(first, copy));
        assertEquals(1, byTopic(batch.records()).get(Topics.ENRICHED).size());
        batch.committed(written(batch.idChangelog()), meters, Timer.builder("test.freshness").register(meters));

        EnrichedBatch again = enricher.enrich(List.of(copyOf(first)));
        assertEquals(Map.of(), byTopic(again.records()), "the id was seen: nothing is written for the copy");
    }

    @Test
    void aTenantsRulesFilterAndRefuseItsEvents() throws Exception {
        JsonNode rules = json.readTree("""
                {"transform": {"filter_types": ["debug.trace"]}, "validation": {"required": {"buy": ["sku"]}}}""");
        var tenant = tenants.create("rules", rules);
        Instant now = Instant.now();

        EnrichedBatch batch = enricher.enrich(List.of(
                raw(tenant.id(), "u1", "debug.trace", now, now, null, tenant.offset()),
                raw(tenant.id(), "u1", "buy", now, now, null, tenant.offset())));

        var dlq = byTopic(batch.records()).get(Topics.DLQ);
        assertEquals(List.of("rule_violation"), dlq.stream().map(this::reason).toList(), "the filtered event is not written");
        assertTrue(json.readTree(dlq.getFirst().value()).get("error_message").asText().contains("sku"));
    }

    private ConsumerRecord<String, String> raw(String tenant, String user, String type, Instant time, Instant receivedAt,
                                               String userAgent, Long tenantOffset) {
        var record = record(tenant + "/" + user, """
                {"tenant_id":"%s","event_id":"%s","type":"%s","timestamp":"%s","received_at":"%s","user_id":"%s",\
                "properties":{}%s}""".formatted(tenant, UUID.randomUUID(), type, time, receivedAt, user,
                userAgent == null ? "" : ",\"user_agent\":\"" + userAgent + "\""));
        if (tenantOffset != null) {
            record.headers().add(TenantRegistry.OFFSET_HEADER, tenantOffset.toString().getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private ConsumerRecord<String, String> record(String key, String value) {
        return new ConsumerRecord<>(Topics.RAW, PARTITION, nextOffset++, key, value);
    }

    private ConsumerRecord<String, String> copyOf(ConsumerRecord<String, String> record) {
        var copy = record(record.key(), record.value());
        record.headers().forEach(copy.headers()::add);
        return copy;
    }

    /** As the transaction's sends answer: the changelog records at consecutive offsets. */
    private static List<RecordMetadata> written(List<ProducerRecord<String, byte[]>> records) {
        List<RecordMetadata> written = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            written.add(new RecordMetadata(new TopicPartition(records.get(i).topic(), records.get(i).partition()), i, 0, 0, 0, 0));
        }
        return written;
    }

    private static Map<String, List<ProducerRecord<String, byte[]>>> byTopic(List<ProducerRecord<String, byte[]>> records) {
        Map<String, List<ProducerRecord<String, byte[]>>> byTopic = new TreeMap<>();
        records.forEach(r -> byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r));
        return byTopic;
    }

    /** Read with the writer's schema, found in the registry by the id in the record's body (the Confluent wire format). */
    private static GenericRecord avro(ProducerRecord<String, byte[]> record) {
        try (var deserializer = new AvroKafkaDeserializer<GenericRecord>()) {
            deserializer.configure(WireFormat.with(Map.of(SerdeConfig.REGISTRY_URL, LocalStack.registryUrl()),
                    WireFormat.DESERIALIZER), false);
            return deserializer.deserialize(record.topic(), record.headers(), record.value());
        }
    }

    private String reason(ProducerRecord<String, byte[]> deadLetter) {
        try {
            return json.readTree(deadLetter.value()).get("reason").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.freshet.enricher.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The schema registry stops mid-stream: the enricher goes on writing Avro with the schema id it cached. */
class RegistryOutageIT {

    @Test
    void enrichmentGoesOnFromTheSchemaCacheWhileTheRegistryIsDown() throws Exception {
        var tenant = TestTenants.create("registry-down");
        Map<TopicPartition, Long> from = TopicProbe.endOffsets(Topics.ENRICHED);
        send(tenant.id(), "before"); // the enricher has the schema's id in its cache from here on
        TopicProbe.firstRecord(from, tenant.id() + "/before", new ByteArrayDeserializer());

        String eventId = UUID.randomUUID().toString();
        ConsumerRecord<String, byte[]> during;
        Freshet.run("down", "registry");
        try {
            send(tenant.id(), "during", eventId);
            during = TopicProbe.firstRecord(from, tenant.id() + "/during", new ByteArrayDeserializer());
        } finally {
            Freshet.run("up", "registry");
        }
        EnrichedEvent event = EnrichedRecords.deserializer().deserialize(Topics.ENRICHED, during.headers(), during.value());
        assertEquals(eventId, event.getEventId());
    }

    private static void send(String tenant, String user) throws Exception {
        send(tenant, user, UUID.randomUUID().toString());
    }

    private static void send(String tenant, String user, String eventId) throws Exception {
        TopicProbe.sendAll(List.of(RawEvents.record(tenant, user, eventId, "registry.tested")));
    }
}

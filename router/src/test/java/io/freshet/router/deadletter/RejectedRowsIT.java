package io.freshet.router.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rows ClickHouse refuses go to the DLQ with ClickHouse's reason; the rest of their batch is stored. The refusal is
 * real: a CHECK constraint on freshet.events, added for this test only.
 */
class RejectedRowsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REFUSED_TYPE = "refused.by.clickhouse";

    @BeforeEach
    void refuseOneType() {
        ClickHouseProbe.query("ALTER TABLE freshet.events ADD CONSTRAINT it_refused_type CHECK type != '" + REFUSED_TYPE + "'");
    }

    @AfterEach
    void acceptAllTypes() {
        ClickHouseProbe.query("ALTER TABLE freshet.events DROP CONSTRAINT IF EXISTS it_refused_type");
    }

    @Test
    void refusedRowsAreDeadLetteredAndTheRestOfTheirBatchIsStored() throws Exception {
        String tenant = TestTenants.create("refused").id();
        var fromDlq = TopicProbe.endOffsets(Topics.DLQ);
        List<ProducerRecord<String, String>> events = new ArrayList<>();
        List<String> refusedIds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean refused = i == 7 || i == 31;
            String id = UUID.randomUUID().toString();
            if (refused) {
                refusedIds.add(id);
            }
            // one user: one partition, so the refused rows share a batch with the others
            events.add(RawEvents.record(tenant, "u1", id, refused ? REFUSED_TYPE : "accepted.type"));
        }
        TopicProbe.sendAll(events);

        var letters = TopicProbe.records(fromDlq, new StringDeserializer(), r -> r.value().contains(tenant), 2);
        for (int i = 0; i < letters.size(); i++) {
            JsonNode letter = JSON.readTree(letters.get(i).value());
            assertEquals("router", letter.get("stage").asText());
            assertEquals(tenant, letter.get("tenant_id").asText());
            assertEquals(Topics.ENRICHED, letter.get("source_topic").asText());
            assertTrue(letter.get("error_message").asText().contains("it_refused_type"),
                    "ClickHouse's reason: " + letter.get("error_message").asText());
            assertTrue(letter.get("payload").asText().contains(refusedIds.get(i)), "the refused event, in order");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.eventsOf(tenant) >= 38);
        assertEquals("38\t38\t0", ClickHouseProbe.query("SELECT count(), uniqExact(event_id), countIf(type = '"
                + REFUSED_TYPE + "') FROM freshet.events WHERE tenant_id = '" + tenant + "'"));
    }
}

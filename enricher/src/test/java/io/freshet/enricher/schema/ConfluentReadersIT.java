package io.freshet.enricher.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The enriched topic read by the Kafka ecosystem's own Avro readers, with no Freshet or Apicurio code: ClickHouse's
 * Kafka engine in format {@code AvroConfluent}, and a Confluent-format client from npm (kafkajs with
 * {@code @kafkajs/confluent-schema-registry}). Both find the schema through the registry's Confluent-compatible API,
 * and both must see each event just sent, field for field, as Freshet's own reader does.
 */
class ConfluentReadersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 12;
    private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/126.0.0.0 Safari/537.36";

    private static String tenant;
    private static Map<TopicPartition, Long> start;
    /** Each event as Freshet's own reader (Apicurio's deserializer) sees it, by event id. */
    private static Map<String, JsonNode> expected;

    @BeforeAll
    static void sendEvents() {
        var sender = TestTenants.create("confluent");
        tenant = sender.id();
        start = TopicProbe.endOffsets(Topics.ENRICHED);
        String events = IntStream.range(0, EVENTS).mapToObj(i -> """
                {"type":"order.completed","user_id":"u%d","event_time":"%s","properties":{"plan":"pro","n":%d%s}}"""
                .formatted(i % 3, Instant.now().minusSeconds(i), i, i % 2 == 0 ? ",\"user_agent\":\"" + CHROME + "\"" : ""))
                .collect(Collectors.joining(",", "[", "]"));
        List<String> ids = Ingest.send(sender, events);
        expected = new TreeMap<>();
        TopicProbe.records(start, EnrichedRecords.deserializer(), r -> r.key().startsWith(tenant + "/"), EVENTS)
                .forEach(r -> expected.put(r.value().getEventId(), json(r.value())));
        assertEquals(new TreeSet<>(ids), expected.keySet());
    }

    @Test
    void clickHousesKafkaEngineReadsTheTopicInFormatAvroConfluent() throws Exception {
        // a user's group, as a data team would name theirs: not one of the pipeline's (freshet-*), whose lag is checked
        String group = "it-clickhouse-reader-" + tenant;
        TopicProbe.setGroupOffsets(group, start);
        String table = "freshet_it.enriched_" + tenant.replaceAll("[^A-Za-z0-9]", "_");
        ClickHouseProbe.query("CREATE DATABASE IF NOT EXISTS freshet_it");
        ClickHouseProbe.query("""
                CREATE TABLE %s (
                  tenant_id String, event_id String, type String,
                  event_time DateTime64(3, 'UTC'), received_at DateTime64(3, 'UTC'),
                  user_id Nullable(String), session_id Nullable(String), properties String,
                  ingest_lag_ms Int64, rules_version Int32, schema_version Int32, raw_partition Int32, raw_offset Int64,
                  session_derived Bool, browser Nullable(String), browser_version Nullable(String),
                  os Nullable(String), os_version Nullable(String), device_class Nullable(String),
                  event_date Nullable(Date32), event_hour Nullable(Int32), event_weekday Nullable(Int32),
                  tags Map(String, String)
                ) ENGINE = Kafka SETTINGS kafka_broker_list = '%s', kafka_topic_list = '%s', kafka_group_name = '%s',
                  kafka_format = 'AvroConfluent', format_avro_schema_registry_url = '%s'"""
                .formatted(table, LocalStack.kafkaBootstrapServers(), Topics.ENRICHED, group, LocalStack.confluentRegistryUrl()));
        try {
            Map<String, JsonNode> read = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String rows = ClickHouseProbe.query("""
                        SELECT * EXCEPT (event_time, received_at, event_date),
                          toUnixTimestamp64Milli(event_time) AS event_time_ms, toUnixTimestamp64Milli(received_at) AS received_at_ms,
                          toInt32(event_date) AS event_date_days
                        FROM %s WHERE tenant_id = '%s'
                        SETTINGS stream_like_engine_allow_direct_select = 1, output_format_json_quote_64bit_integers = 0
                        FORMAT JSONEachRow""".formatted(table, tenant));
                for (String line : rows.lines().filter(l -> !l.isBlank()).toList()) {
                    ObjectNode row = (ObjectNode) JSON.readTree(line);
                    row.set("event_time", row.remove("event_time_ms"));
                    row.set("received_at", row.remove("received_at_ms"));
                    row.set("event_date", row.remove("event_date_days"));
                    read.put(row.get("event_id").asText(), row);
                }
                return read.size() >= EVENTS;
            });
            assertSameEvents(read);
        } finally {
            ClickHouseProbe.query("DROP TABLE " + table);
        }
    }

    @Test
    void aConfluentFormatClientFromNpmReadsTheTopic() throws Exception {
        var result = NodeScript.run("read-confluent.mjs", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", LocalStack.kafkaBootstrapServers(),
                "CCOMPAT_URL", LocalStack.confluentRegistryUrl(),
                "TOPIC", Topics.ENRICHED,
                "START_OFFSETS", JSON.writeValueAsString(start.entrySet().stream()
                        .collect(Collectors.toMap(e -> String.valueOf(e.getKey().partition()), Map.Entry::getValue))),
                "EVENT_IDS", JSON.writeValueAsString(expected.keySet()),
                "TIMEOUT_MS", "60000"), Duration.ofSeconds(90));
        assertEquals(0, result.exitCode(), result::toString);
        Map<String, JsonNode> read = new HashMap<>();
        for (String line : result.lines()) {
            JsonNode each = JSON.readTree(line);
            String schema = given().baseUri(LocalStack.confluentRegistryUrl()).get("/schemas/ids/" + each.get("schemaId").asInt())
                    .then().statusCode(200).extract().path("schema");
            assertEquals(EnrichedEvent.getClassSchema(), new Schema.Parser().parse(schema),
                    "the record's id is the enriched schema's in the registry's Confluent API");
            read.put(each.get("event").get("event_id").asText(), each.get("event"));
        }
        assertSameEvents(read);
    }

    private static void assertSameEvents(Map<String, JsonNode> read) {
        assertEquals(expected.keySet(), new TreeSet<>(read.keySet()));
        expected.forEach((id, event) -> assertTrue(event.equals(SAME_VALUE, read.get(id)),
                () -> "event " + id + ": Freshet reads\n" + event + "\nthe other reader\n" + read.get(id)));
        assertTrue(expected.values().stream().anyMatch(e -> !e.get("browser").isNull()), "some events carry a browser");
    }

    /** Numbers by value (an int and a long may stand for the same field), everything else as JSON has it. */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    /** A record's fields as plain JSON: timestamps in epoch milliseconds, dates in epoch days, as Avro stores them. */
    private static JsonNode json(SpecificRecord record) {
        ObjectNode node = JSON.createObjectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            node.set(field.name(), JSON.valueToTree(switch (value) {
                case Instant instant -> instant.toEpochMilli();
                case LocalDate date -> date.toEpochDay();
                case CharSequence text -> text.toString();
                case Map<?, ?> map -> map.entrySet().stream()
                        .collect(Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().toString()));
                case null -> null;
                default -> value;
            }));
        }
        return node;
    }
}

package io.freshet.router.storage;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.router.sink.ClickHouseBatchSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage contract on the running stack's ClickHouse, as the router's migrations left it. */
class StorageIT {

    private static Client clickHouse;

    @BeforeAll
    static void connect() {
        // as on the servers where it is not the default yet: the router's inserts must set it themselves
        clickHouse = new Client.Builder().addEndpoint(LocalStack.clickHouseUrl()).setUsername("default").setPassword("")
                .serverSetting("deduplicate_blocks_in_dependent_materialized_views", "0")
                .compressServerResponse(false).compressClientRequest(false).build();
    }

    @AfterAll
    static void close() {
        clickHouse.close();
    }

    @Test
    void migrationsAreRecordedOncePerVersion() {
        assertEquals(ClickHouseMigrations.MIGRATIONS, column(
                "SELECT version FROM freshet.schema_migrations GROUP BY version HAVING count() = 1 ORDER BY version"));
    }

    @Test
    void eventsHaveTheContractColumns() {
        assertEquals(List.of("tenant_id:LowCardinality(String)", "event_id:UUID", "type:LowCardinality(String)",
                        "event_time:DateTime64(3, 'UTC')", "received_at:DateTime64(3, 'UTC')", "user_id:String",
                        "session_id:String", "properties:String", "ingest_lag_ms:Int64", "rules_version:UInt32",
                        "schema_version:UInt16", "source_topic:LowCardinality(String)", "source_partition:UInt16",
                        "source_offset:UInt64", "session_derived:Bool", "browser:LowCardinality(String)",
                        "browser_version:LowCardinality(String)", "os:LowCardinality(String)", "os_version:LowCardinality(String)",
                        "device_class:LowCardinality(String)", "tags:Map(LowCardinality(String), String)", "late:Bool"),
                column("SELECT name || ':' || type FROM system.columns WHERE database = 'freshet' AND table = 'events' ORDER BY position"));
        assertEquals(List.of("AggregatingMergeTree"),
                column("SELECT engine FROM system.tables WHERE database = 'freshet' AND name = 'events_per_minute'"));
    }

    /** How many inserts back a retried batch is still recognised, in every table the router writes (V006). */
    @Test
    void everyTableRecognisesARetryAmongItsLast100000Inserts() {
        assertEquals(List.of("billing_usage 100000", "events 100000", "events_per_minute 100000"), column(
                "SELECT name || ' ' || extract(create_table_query, 'non_replicated_deduplication_window = (\\d+)') "
                        + "FROM system.tables WHERE database = 'freshet' "
                        + "AND name IN ('events', 'events_per_minute', 'billing_usage') ORDER BY name"));
    }

    /** What the router's exactly-once rests on: a retried insert with the same token is dropped, not doubled. */
    @Test
    void aRetriedBatchWithTheSameTokenIsStoredOnce() throws Exception {
        String tenant = "storage-" + UUID.randomUUID().toString().substring(0, 8);
        String token = "storage-it-" + UUID.randomUUID();
        String rows = ("{\"tenant_id\":\"%1$s\",\"event_id\":\"%2$s\",\"type\":\"a\",\"event_time\":\"2026-01-01 00:00:00.000\","
                + "\"received_at\":\"2026-01-01 00:00:00.000\",\"user_id\":\"u\",\"session_id\":\"\",\"properties\":\"{}\","
                + "\"ingest_lag_ms\":0,\"rules_version\":0,\"schema_version\":1,\"source_topic\":\"t\","
                + "\"source_partition\":0,\"source_offset\":%3$d}\n").formatted(tenant, UUID.randomUUID(), 1)
                + ("{\"tenant_id\":\"%1$s\",\"event_id\":\"%2$s\",\"type\":\"a\",\"event_time\":\"2026-01-01 00:00:01.000\","
                + "\"received_at\":\"2026-01-01 00:00:01.000\",\"user_id\":\"v\",\"session_id\":\"\",\"properties\":\"{}\","
                + "\"ingest_lag_ms\":0,\"rules_version\":0,\"schema_version\":1,\"source_topic\":\"t\","
                + "\"source_partition\":0,\"source_offset\":%3$d}\n").formatted(tenant, UUID.randomUUID(), 2);
        for (int attempt = 0; attempt < 3; attempt++) {
            insert("events", rows, token);
        }
        assertEquals(List.of("2\t2"), column("SELECT count() || '\t' || uniqExact(event_id) FROM freshet.events "
                + "WHERE tenant_id = {t:String}", Map.of("t", tenant)));
        assertEquals(List.of("2\t2"), column("SELECT sum(events) || '\t' || uniqMerge(users) FROM freshet.events_per_minute "
                + "WHERE tenant_id = {t:String}", Map.of("t", tenant)), "the rollup is not doubled either");
    }

    /**
     * ClickHouse writes an insert's part of freshet.events before the rollup's: when it fails in between, the router
     * retries with the same token, and that retry must still reach the rollup. Shown on tables of the same engines
     * whose view's target refuses every row until the retry (a CHECK constraint, dropped in between).
     */
    @Test
    void aRetryCompletesTheRollupThatTheFirstAttemptMissed() throws Exception {
        String db = "freshet_rollup_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
        command("CREATE DATABASE " + db);
        try {
            command("CREATE TABLE " + db + ".events (tenant_id String, n UInt64) ENGINE = MergeTree ORDER BY tenant_id "
                    + "SETTINGS non_replicated_deduplication_window = 100");
            command("CREATE TABLE " + db + ".rollup (tenant_id String, events SimpleAggregateFunction(sum, UInt64), "
                    + "CONSTRAINT closed CHECK events > 1000) ENGINE = AggregatingMergeTree ORDER BY tenant_id "
                    + "SETTINGS non_replicated_deduplication_window = 100");
            command("CREATE MATERIALIZED VIEW " + db + ".rollup_mv TO " + db + ".rollup AS "
                    + "SELECT tenant_id, count() AS events FROM " + db + ".events GROUP BY tenant_id");
            String rows = "{\"tenant_id\":\"t\",\"n\":1}\n{\"tenant_id\":\"t\",\"n\":2}\n";
            var failed = assertThrows(Exception.class, () -> insert(db + ".events", rows, "rollup-it"));
            assertTrue(failed.toString().contains("closed"), "the view's target refused the rows: " + failed);
            assertEquals(List.of("2"), column("SELECT count() FROM " + db + ".events"), "the source part was written");

            command("ALTER TABLE " + db + ".rollup DROP CONSTRAINT closed");
            insert(db + ".events", rows, "rollup-it");
            assertEquals(List.of("2"), column("SELECT count() FROM " + db + ".events"), "the retry was not doubled");
            assertEquals(List.of("2"), column("SELECT sum(events) FROM " + db + ".rollup"), "the retry reached the rollup");
        } finally {
            command("DROP DATABASE IF EXISTS " + db);
        }
    }

    /** As the router inserts: its settings, a JSON body. */
    private static void insert(String table, String rows, String token) throws Exception {
        clickHouse.insert(table, new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)), ClickHouseFormat.JSONEachRow,
                ClickHouseBatchSink.insertSettings(token)).get(30, TimeUnit.SECONDS).close();
    }

    private static void command(String sql) throws Exception {
        clickHouse.query(sql).get(30, TimeUnit.SECONDS).close();
    }

    private static List<String> column(String sql) {
        return column(sql, Map.of());
    }

    private static List<String> column(String sql, Map<String, Object> params) {
        return clickHouse.queryAll(sql, params).stream().map(r -> r.getString(1)).toList();
    }
}

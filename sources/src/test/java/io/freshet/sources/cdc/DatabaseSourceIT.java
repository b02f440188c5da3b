package io.freshet.sources.cdc;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Database changes, against the real stack: a tenant's PostgreSQL table (the local PostgreSQL of `./freshet up`) is
 * made a source through the admin API; the rows inserted, updated and deleted become events
 * {@code db.<table>.<insert|update|delete>} in ClickHouse once each, also when the sources service is killed while
 * rows are inserted, updated and deleted. And as a hostile tenant would try: names chosen to share another tenant's
 * replication slot, a source aimed at the cloud's metadata address, a line break smuggled into a setting.
 */
class DatabaseSourceIT {

    /** A captured table of a test: removed after it, with its slot and publication, so none piles up across runs. */
    private record Capture(String tenantId, String source, String table, String slot) {
    }

    private final List<Capture> captures = new ArrayList<>();

    @AfterEach
    void removeCaptures() throws SQLException {
        for (Capture capture : captures) {
            TestTenants.admin().delete("/v1/admin/tenants/" + capture.tenantId() + "/sources/databases/" + capture.source())
                    .then().statusCode(204);
            await().atMost(Duration.ofSeconds(30)).until(() -> !slotActive(capture.slot()));
            try (Connection db = database()) {
                db.createStatement().execute("SELECT pg_drop_replication_slot('" + capture.slot() + "')");
                db.createStatement().execute("DROP PUBLICATION IF EXISTS " + capture.slot());
                db.createStatement().execute("DROP TABLE " + capture.table());
            }
        }
    }

    @Test
    void insertsUpdatesAndDeletesBecomeEventsOnceEach() throws Exception {
        var tenant = TestTenants.create("cdc");
        String table = captured(tenant.id(), "items");
        try (Connection db = database()) {
            db.createStatement().execute("INSERT INTO " + table + " (name, qty) SELECT 'item-' || i, i FROM generate_series(1, 10) i");
            db.createStatement().execute("UPDATE " + table + " SET qty = qty * 10 WHERE id <= 4");
            db.createStatement().execute("DELETE FROM " + table + " WHERE id > 8");
        }
        String tableName = table.substring(table.indexOf('.') + 1);
        ClickHouseProbe.awaitStoredOnce(tenant.id(), 16);
        assertEquals(String.join("\n", "db." + tableName + ".delete\t2", "db." + tableName + ".insert\t10",
                        "db." + tableName + ".update\t4"),
                ClickHouseProbe.query("SELECT type, count() FROM freshet.events WHERE tenant_id = '" + tenant.id()
                        + "' GROUP BY type ORDER BY type"));
        // the rows before and after, as properties
        assertEquals("3\t30", ClickHouseProbe.query("SELECT JSONExtractInt(properties, 'before', 'qty'), "
                + "JSONExtractInt(properties, 'after', 'qty') FROM freshet.events WHERE tenant_id = '" + tenant.id()
                + "' AND type = 'db." + tableName + ".update' AND JSONExtractInt(properties, 'after', 'id') = 3"));
    }

    @Test
    void killingTheSourcesServiceWhileRowsChangeLosesAndDoublesNothing() throws Exception {
        var tenant = TestTenants.create("cdc-kill");
        String table = captured(tenant.id(), "orders");
        int rows = 600;
        var changes = new AtomicInteger();
        // 100 changes a second, each its own transaction, while the service is killed and started again: every row
        // inserted, every 2nd one then updated, every 3rd one then deleted
        var writing = CompletableFuture.runAsync(() -> {
            try (Connection db = database()) {
                long next = System.nanoTime();
                for (int i = 1; i <= rows; i++) {
                    List<String> statements = new ArrayList<>(List.of(
                            "INSERT INTO " + table + " (name, qty) VALUES ('order-" + i + "', " + i + ")"));
                    if (i % 2 == 0) {
                        statements.add("UPDATE " + table + " SET name = name || ' (paid)' WHERE qty = " + i);
                    }
                    if (i % 3 == 0) {
                        statements.add("DELETE FROM " + table + " WHERE qty = " + i);
                    }
                    for (String statement : statements) {
                        next += 10_000_000L;
                        LockSupport.parkNanos(next - System.nanoTime()); // the pace of the changes, not a wait for one
                        db.createStatement().execute(statement);
                        changes.incrementAndGet();
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        int expected = rows + rows / 2 + rows / 3;
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= expected / 5);
        Freshet.kill("sources");
        Freshet.run("up", "sources");
        writing.get();
        assertEquals(expected, changes.get());
        ClickHouseProbe.awaitStoredOnce(tenant.id(), expected);
        String tableName = table.substring(table.indexOf('.') + 1);
        // each change once: as many events of each kind as rows it touched, each of another row
        assertEquals(String.join("\n", "db." + tableName + ".delete\t200\t200", "db." + tableName + ".insert\t600\t600",
                        "db." + tableName + ".update\t300\t300"),
                ClickHouseProbe.query("SELECT type, count(), uniqExact(if(JSONHas(properties, 'after', 'qty'), "
                        + "JSONExtractInt(properties, 'after', 'qty'), JSONExtractInt(properties, 'before', 'qty'))) "
                        + "FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' GROUP BY type ORDER BY type"));
    }

    @Test
    void tenantsWhoseNamesOnceMadeOneSlotEachCaptureOnlyTheirOwnRows() throws Exception {
        // tenant X with source prod-db and tenant X-prod with source db: both slots were freshet_X_prod_db, so the
        // second capture went on from the first one's position in the first one's slot
        String victim = tenantNamed(TestTenants.newId("acc-slot"));
        String attacker = tenantNamed(victim + "-prod");
        String victimTable = captured(victim, "prod-db", "orders");
        String attackerTable = captured(attacker, "db", "orders");

        String victimSlot = TestTenants.admin().get("/v1/admin/tenants/" + victim + "/sources")
                .then().statusCode(200).extract().path("databases[0].slot");
        String attackerSlot = TestTenants.admin().get("/v1/admin/tenants/" + attacker + "/sources")
                .then().statusCode(200).extract().path("databases[0].slot");
        assertNotEquals(victimSlot, attackerSlot);
        assertTrue(slotActive(victimSlot) && slotActive(attackerSlot), "each capture reads its own slot");

        try (Connection db = database()) {
            db.createStatement().execute("INSERT INTO " + victimTable + " (name, qty) SELECT 'v-' || i, i FROM generate_series(1, 7) i");
            db.createStatement().execute("INSERT INTO " + attackerTable + " (name, qty) SELECT 'a-' || i, i FROM generate_series(1, 4) i");
        }
        ClickHouseProbe.awaitStoredOnce(victim, 7);
        ClickHouseProbe.awaitStoredOnce(attacker, 4);
        assertEquals("db." + victimTable.substring(victimTable.indexOf('.') + 1) + ".insert\t7",
                ClickHouseProbe.query("SELECT type, count() FROM freshet.events WHERE tenant_id = '" + victim + "' GROUP BY type"));
        assertEquals("db." + attackerTable.substring(attackerTable.indexOf('.') + 1) + ".insert\t4",
                ClickHouseProbe.query("SELECT type, count() FROM freshet.events WHERE tenant_id = '" + attacker + "' GROUP BY type"));
    }

    @Test
    void aSourceAimedInsideFreshetsNetworkOrWithALineBreakInASettingIsRefused() {
        var tenant = TestTenants.create("cdc-hostile");
        String sources = "/v1/admin/tenants/" + tenant.id() + "/sources";

        TestTenants.admin().body(settings("169.254.169.254", 80, "freshet", List.of("public.anything")))
                .put(sources + "/databases/metadata")
                .then().statusCode(400).body("error.code", equalTo("source_host_refused"))
                .body("error.message", containsString("FRESHET_SOURCES_ALLOWED_HOSTS"));
        TestTenants.admin().body(settings("127.0.0.1", LocalStack.postgresPort(), "freshet\r\nreplication=database",
                        List.of("public.anything")))
                .put(sources + "/databases/smuggled")
                .then().statusCode(400).body("error.code", equalTo("invalid_source"))
                .body("error.message", containsString("'user' must not hold control characters"));

        TestTenants.admin().get(sources).then().statusCode(200).body("databases", empty());
    }

    /** A tenant with exactly this id, as a tenant choosing its own name would have it. */
    private static String tenantNamed(String id) {
        TestTenants.admin().body(Map.of("id", id, "name", id)).post("/v1/admin/tenants").then().statusCode(201);
        return id;
    }

    /** A new table of the tenant, captured by its source "main": returns its name once the capture's slot is active. */
    private String captured(String tenantId, String prefix) throws SQLException {
        return captured(tenantId, "main", prefix);
    }

    /** A new table of the tenant, captured by this source of it: returns its name once the capture's slot is active. */
    private String captured(String tenantId, String source, String prefix) throws SQLException {
        String table = "public." + prefix + "_" + tenantId.replace('-', '_');
        try (Connection db = database()) {
            db.createStatement().execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, name text, qty int)");
            // the whole row before an update or delete, not only its key
            db.createStatement().execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        }
        String slot = TestTenants.admin().body(settings("127.0.0.1", LocalStack.postgresPort(), "freshet", List.of(table)))
                .put("/v1/admin/tenants/" + tenantId + "/sources/databases/" + source)
                .then().statusCode(201).extract().path("slot");
        captures.add(new Capture(tenantId, source, table, slot));
        await().atMost(Duration.ofSeconds(60)).until(() -> slotActive(slot));
        return table;
    }

    /** A database source's settings on the local PostgreSQL's demo database, with its password. */
    private static Map<String, Object> settings(String host, int port, String user, List<String> tables) {
        return Map.of("host", host, "port", port, "database", "demo", "user", user,
                "password", LocalStack.postgresPassword(), "tables", tables);
    }

    private static boolean slotActive(String slot) throws SQLException {
        try (Connection db = database();
             var rows = db.createStatement().executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rows.next() && rows.getBoolean(1);
        }
    }

    private static Connection database() throws SQLException {
        return DriverManager.getConnection(LocalStack.postgresJdbcUrl("demo"), "freshet", LocalStack.postgresPassword());
    }
}

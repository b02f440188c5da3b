package io.freshet.devstack.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The endpoint against the official ClickHouse Java client (client-v2), used exactly as the services
 * use it against a real server: DDL, RowBinary and JSONEachRow inserts, bound parameters, server
 * errors, concurrent writers, and data that outlives a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClickHouseEndpointIT {

    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    static Path data;

    private static ClickHouseEndpoint endpoint;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        endpoint = RunningEndpoint.start(data, 0);
        client = clientFor(endpoint);
        execute("CREATE DATABASE IF NOT EXISTS it");
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static Client clientFor(ClickHouseEndpoint endpoint) {
        return new Client.Builder()
                .addEndpoint(endpoint.url())
                .setUsername("default")
                .setPassword("")
                .compressServerResponse(false)
                .compressClientRequest(false)
                .build();
    }

    private static void execute(String sql) throws Exception {
        client.execute(sql).get(30, TimeUnit.SECONDS).close();
    }

    private static void createEventsTable(String table) throws Exception {
        execute("CREATE TABLE " + table + " (" + EventRows.COLUMNS + ") ENGINE = MergeTree ORDER BY (tenant_id, event_time)");
    }

    private static InsertResponse insertRowBinary(String table, byte[] rows) throws Exception {
        return client.insert(table, new ByteArrayInputStream(rows), ClickHouseFormat.RowBinary).get(120, TimeUnit.SECONDS);
    }

    private static long count(String sql) {
        return client.queryAll(sql).getFirst().getLong(1);
    }

    @Test
    @Order(1)
    void storesRowBinaryAndReadsItBackWithBoundParameters() throws Exception {
        createEventsTable("it.events");
        UUID wanted = UUID.fromString("0190f1e2-7c3a-7b4e-9d2f-5a6b7c8d9e0f");
        byte[] rows = new EventRows(3)
                .add("acme", wanted, BASE.plusMillis(123), 7)
                .add("acme", UUID.randomUUID(), BASE.plusSeconds(60), 8)
                .add("globex", UUID.randomUUID(), BASE, 9)
                .bytes();

        try (InsertResponse inserted = insertRowBinary("it.events", rows)) {
            assertEquals(3, inserted.getWrittenRows());
        }

        List<GenericRecord> found = client.queryAll(
                "SELECT tenant_id, event_id, event_time, n FROM it.events "
                        + "WHERE tenant_id = {tenant:String} AND event_time < {before:DateTime64(3, 'UTC')} ORDER BY event_time",
                Map.of("tenant", "acme", "before", "2026-01-01 00:00:01.000"));
        assertEquals(1, found.size());
        GenericRecord row = found.getFirst();
        assertEquals("acme", row.getString("tenant_id"));
        assertEquals(wanted, row.getUUID("event_id"));
        assertEquals(BASE.plusMillis(123), row.getInstant("event_time"));
        assertEquals(7, row.getLong("n"));

        List<GenericRecord> byId = client.queryAll("SELECT n FROM it.events WHERE event_id = {id:UUID}", Map.of("id", wanted));
        assertEquals(7, byId.getFirst().getLong("n"));
    }

    @Test
    @Order(2)
    void storesJsonEachRowSentAsAStream() throws Exception {
        createEventsTable("it.json_events");
        String rows = """
                {"tenant_id":"acme","event_id":"0190f1e2-7c3a-7b4e-9d2f-5a6b7c8d9e01","event_time":"2026-01-01 00:00:00.250","n":1}
                {"tenant_id":"acme","event_id":"0190f1e2-7c3a-7b4e-9d2f-5a6b7c8d9e02","event_time":"2026-01-01 00:00:00.500","n":2}
                """;

        try (InsertResponse inserted = client.insert("it.json_events",
                new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)), ClickHouseFormat.JSONEachRow)
                .get(30, TimeUnit.SECONDS)) {
            assertEquals(2, inserted.getWrittenRows());
        }

        GenericRecord sums = client.queryAll("SELECT count() AS c, sum(n) AS s, max(event_time) AS t FROM it.json_events").getFirst();
        assertEquals(2, sums.getLong("c"));
        assertEquals(3, sums.getLong("s"));
        assertEquals(BASE.plusMillis(500), sums.getInstant("t"));
    }

    @Test
    @Order(3)
    void storesPojosThatTheClientSendsWithTheStatementInTheBody() throws Exception {
        execute("CREATE TABLE pojo_events (" + EventRows.COLUMNS + ") ENGINE = MergeTree ORDER BY tenant_id");
        client.register(Event.class, client.getTableSchema("pojo_events"));
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(new Event("t" + (i % 3), new UUID(42, i), BASE.plusMillis(i), i));
        }

        try (InsertResponse inserted = client.insert("pojo_events", events).get(30, TimeUnit.SECONDS)) {
            assertEquals(1000, inserted.getWrittenRows());
        }

        assertEquals(1000, count("SELECT uniqExact(event_id) FROM pojo_events"));
        assertEquals(999L * 1000 / 2, count("SELECT sum(n) FROM pojo_events"));
    }

    @Test
    @Order(4)
    void aSyntaxErrorIsAServerExceptionWithItsCode() {
        ServerException syntax = serverException(() -> client.queryAll("SELEC 1"));
        assertEquals(62, syntax.getCode());
        assertEquals(400, syntax.getTransportProtocolCode());
        assertTrue(syntax.getMessage().contains("Syntax error"), syntax.getMessage());
        assertTrue(syntax.getMessage().contains("(SYNTAX_ERROR)"), syntax.getMessage());

        ServerException missing = serverException(() -> client.query("SELECT * FROM it.nope").get(30, TimeUnit.SECONDS));
        assertEquals(ServerException.TABLE_NOT_FOUND, missing.getCode());
    }

    /** The server's exception, however the client API wraps it (queryAll wraps, query's future does too). */
    private static ServerException serverException(Executable call) {
        Throwable thrown = assertThrows(Exception.class, call);
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServerException server) {
                return server;
            }
        }
        return fail("expected a ServerException, got " + thrown);
    }

    @Test
    @Order(5)
    void eightConcurrentInsertersLoseNothing() throws Exception {
        createEventsTable("it.concurrent_events");
        int writers = 8;
        int batches = 25;
        int rowsPerBatch = 400;
        List<Callable<Long>> work = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            work.add(() -> {
                long written = 0;
                for (int b = 0; b < batches; b++) {
                    EventRows rows = new EventRows(rowsPerBatch);
                    for (int r = 0; r < rowsPerBatch; r++) {
                        rows.add("writer-" + writer, new UUID(writer, (long) b * rowsPerBatch + r), BASE.plusMillis(r), 1);
                    }
                    try (InsertResponse inserted = insertRowBinary("it.concurrent_events", rows.bytes())) {
                        written += inserted.getWrittenRows();
                    }
                    // Readers run between the writers and must see a consistent table.
                    count("SELECT count() FROM it.concurrent_events");
                }
                return written;
            });
        }
        long reported = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (Future<Long> result : pool.invokeAll(work)) {
                reported += result.get();
            }
        }

        long expected = (long) writers * batches * rowsPerBatch;
        assertEquals(expected, reported);
        assertEquals(expected, count("SELECT count() FROM it.concurrent_events"));
        assertEquals(expected, count("SELECT uniqExact(event_id) FROM it.concurrent_events"));
        assertEquals((long) batches * rowsPerBatch,
                count("SELECT min(c) FROM (SELECT count() AS c FROM it.concurrent_events GROUP BY tenant_id)"));
    }

    @Test
    @Order(6)
    void takesAMillionRowsOfRowBinary() throws Exception {
        createEventsTable("it.bulk_events");
        int total = 1_000_000;
        EventRows rows = new EventRows(total);
        for (int i = 0; i < total; i++) {
            rows.add("tenant-" + (i % 10), new UUID(7, i), BASE.plusMillis(i), i % 1000);
        }
        byte[] body = rows.bytes();

        long insertStarted = System.nanoTime();
        try (InsertResponse inserted = insertRowBinary("it.bulk_events", body)) {
            assertEquals(total, inserted.getWrittenRows());
        }
        long insertMillis = (System.nanoTime() - insertStarted) / 1_000_000;

        long queryStarted = System.nanoTime();
        List<GenericRecord> groups = client.queryAll(
                "SELECT tenant_id, count() AS c, sum(n) AS s FROM it.bulk_events GROUP BY tenant_id ORDER BY tenant_id");
        long queryMillis = (System.nanoTime() - queryStarted) / 1_000_000;

        assertEquals(10, groups.size());
        assertEquals(total, groups.stream().mapToLong(g -> g.getLong("c")).sum());
        assertEquals(1000L * 999 / 2 * (total / 1000), groups.stream().mapToLong(g -> g.getLong("s")).sum());
        System.out.printf("[measure] 1M-row RowBinary insert (%d MB) via client-v2: %d ms; GROUP BY over 1M rows: %d ms%n",
                body.length >> 20, insertMillis, queryMillis);
    }

    @Test
    @Order(7)
    void rowsOutliveARestartOnTheSameDataPath() throws Exception {
        createEventsTable("it.durable_events");
        insertRowBinary("it.durable_events", new EventRows(2)
                .add("acme", UUID.randomUUID(), BASE, 1)
                .add("acme", UUID.randomUUID(), BASE, 2)
                .bytes()).close();
        long eventsBefore = count("SELECT count() FROM it.events");

        int port = endpoint.port();
        client.close();
        endpoint.close();
        endpoint = RunningEndpoint.start(data, port);
        client = clientFor(endpoint);

        assertEquals(2, count("SELECT count() FROM it.durable_events"));
        assertEquals(3, count("SELECT sum(n) FROM it.durable_events"));
        assertEquals(eventsBefore, count("SELECT count() FROM it.events"));
        assertEquals(1_000_000, count("SELECT count() FROM it.bulk_events"));
    }

    /** A row as a service would map it; client-v2 matches getters to columns by name. */
    public static final class Event {
        private String tenantId;
        private UUID eventId;
        private Instant eventTime;
        private long n;

        public Event() {
        }

        Event(String tenantId, UUID eventId, Instant eventTime, long n) {
            this.tenantId = tenantId;
            this.eventId = eventId;
            this.eventTime = eventTime;
            this.n = n;
        }

        public String getTenantId() {
            return tenantId;
        }

        public void setTenantId(String tenantId) {
            this.tenantId = tenantId;
        }

        public UUID getEventId() {
            return eventId;
        }

        public void setEventId(UUID eventId) {
            this.eventId = eventId;
        }

        public Instant getEventTime() {
            return eventTime;
        }

        public void setEventTime(Instant eventTime) {
            this.eventTime = eventTime;
        }

        public long getN() {
            return n;
        }

        public void setN(long n) {
            this.n = n;
        }
    }
}

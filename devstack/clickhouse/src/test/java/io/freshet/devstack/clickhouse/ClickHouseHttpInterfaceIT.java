package io.freshet.devstack.clickhouse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP interface as curl or a script sees it: plain requests, ClickHouse's texts and headers. */
class ClickHouseHttpInterfaceIT {

    @TempDir
    static Path data;

    private static ClickHouseEndpoint endpoint;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        endpoint = RunningEndpoint.start(data, 0);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(endpoint.url() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(endpoint.url() + pathAndQuery))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String query(String sql) {
        return "?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8);
    }

    @Test
    void pingAndRootAnswerOk() throws Exception {
        assertEquals("Ok.\n", get("ping").body());
        assertEquals("Ok.\n", get("").body());
        assertEquals(200, get("ping").statusCode());
    }

    @Test
    void selectOneInTheUrl() throws Exception {
        HttpResponse<String> response = get(query("SELECT 1 FORMAT TabSeparated") + "&query_id=q-1");

        assertEquals(200, response.statusCode());
        assertEquals("1\n", response.body());
        assertEquals("TabSeparated", response.headers().firstValue("X-ClickHouse-Format").orElseThrow());
        assertEquals("q-1", response.headers().firstValue("X-ClickHouse-Query-Id").orElseThrow());
        assertEquals("UTC", response.headers().firstValue("X-ClickHouse-Timezone").orElseThrow());
        assertTrue(response.headers().firstValue("X-ClickHouse-Summary").orElseThrow().contains("\"result_rows\":\"1\""));
    }

    @Test
    void queryInTheBodyWithTheDefaultFormat() throws Exception {
        HttpResponse<String> response = post("", "SELECT number, toString(number) FROM system.numbers LIMIT 3");

        assertEquals(200, response.statusCode());
        assertEquals("0\t0\n1\t1\n2\t2\n", response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/tab-separated-values"));
    }

    @Test
    void urlStatementHeadWithDataInTheBodyAndSettingsInTheUrl() throws Exception {
        assertEquals(200, post("", "CREATE TABLE http_events (id UInt32, at DateTime64(3, 'UTC')) "
                + "ENGINE = MergeTree ORDER BY id").statusCode());

        HttpResponse<String> inserted = post(query("INSERT INTO http_events FORMAT CSV")
                + "&date_time_input_format=best_effort&insert_deduplication_token=batch-1",
                "1,2026-01-01T10:00:00.5Z\n2,2026-01-01T10:00:01Z\n");
        assertEquals(200, inserted.statusCode(), inserted.body());
        assertTrue(inserted.headers().firstValue("X-ClickHouse-Summary").orElseThrow().contains("\"written_rows\":\"2\""));

        HttpResponse<String> inline = post("", "INSERT INTO http_events FORMAT TSV\n3\t2026-01-01 10:00:02.000\n");
        assertEquals(200, inline.statusCode(), inline.body());

        assertEquals("3\t2026-01-01 10:00:00.500\n", post(query("SELECT count(), min(at) FROM http_events FORMAT TSV"), "").body());
        assertEquals("2\n", post("?param_from=2", "SELECT count() FROM http_events WHERE id >= {from:UInt32}").body());
    }

    @Test
    void errorsCarryTheCodeHeaderAndClickHouseText() throws Exception {
        HttpResponse<String> syntax = post("", "SELEC 1");
        assertEquals(400, syntax.statusCode());
        assertEquals("62", syntax.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow());
        assertTrue(syntax.body().startsWith("Code: 62. DB::Exception: Syntax error"), syntax.body());
        assertTrue(syntax.body().contains("(SYNTAX_ERROR) (version 26.7"), syntax.body());

        HttpResponse<String> missing = get(query("SELECT * FROM no_such_table"));
        assertEquals(404, missing.statusCode());
        assertEquals("60", missing.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow());

        HttpResponse<String> readOnly = get(query("CREATE TABLE t_get (x UInt8) ENGINE = Memory"));
        assertEquals("164", readOnly.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow());

        HttpResponse<String> unknownSetting = get(query("SELECT 1") + "&no_such_setting=1");
        assertEquals("115", unknownSetting.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow());

        HttpResponse<String> twoStatements = post("", "SELECT 1; SELECT 2");
        assertTrue(twoStatements.body().contains("Multi-statements are not allowed"), twoStatements.body());

        assertEquals(404, get("no/such/handler").statusCode());
    }

    @Test
    void settingsAndDatabaseApplyToOneRequestOnly() throws Exception {
        assertEquals("7\tsystem\n", get(query("SELECT getSetting('max_threads'), currentDatabase()")
                + "&max_threads=7&database=system").body());
        HttpResponse<String> next = get(query("SELECT getSetting('max_threads') = 7, currentDatabase()"));
        assertEquals("0\tdefault\n", next.body());
    }

    /** Sessions are kept between requests: what one request changes in its session must not reach the next. */
    @Test
    void statementsThatChangeTheirSessionLeaveNothingForTheNextRequest() throws Exception {
        String probe = query("SELECT getSetting('max_threads') = 5, currentDatabase()");
        assertEquals("0\tdefault\n", post(probe, "").body()); // a session for this kind of request is kept now
        assertEquals(200, post("", "SET max_threads = 5").statusCode());
        assertEquals(200, post("", "USE system").statusCode());
        assertEquals("0\tdefault\n", post(probe, "").body());

        assertEquals(200, post("", "CREATE TEMPORARY TABLE scratch (x UInt8)").statusCode());
        assertEquals("0\n", post("", "SELECT count() FROM system.tables WHERE name = 'scratch' AND is_temporary").body());
    }

    /** The engine keeps a failed query's partial output in its connection: the next request must not get it. */
    @Test
    void aQueryAfterOneThatFailedMidwayGetsOnlyItsOwnResult() throws Exception {
        String limited = "?max_result_rows=100000&result_overflow_mode=throw&default_format=TSV";
        HttpResponse<String> failed = post(limited, "SELECT number, toString(number) FROM numbers(300000)");
        assertEquals("396", failed.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow(), failed.body());
        assertEquals("0\n1\n2\n", post(limited, "SELECT number FROM numbers(3)").body());
    }

    @Test
    void anInsertCarriesItsRequestsSettingsAndAGetStillCannotWrite() throws Exception {
        assertEquals(200, post("", "CREATE TABLE token_events (id UInt32) ENGINE = MergeTree ORDER BY id "
                + "SETTINGS non_replicated_deduplication_window = 100").statusCode());
        String insert = query("INSERT INTO token_events FORMAT CSV");
        // the same token twice: the second insert is recognised as a retry, whatever its rows
        assertEquals(200, post(insert + "&insert_deduplication_token=t-1", "1\n2\n").statusCode());
        assertEquals(200, post(insert + "&insert_deduplication_token=t-1", "3\n").statusCode());
        assertEquals(200, post(insert + "&insert_deduplication_token=t-2", "3\n").statusCode());
        // a statement with its own SETTINGS clause still takes the request's settings
        HttpResponse<String> own = post(query("INSERT INTO token_events SETTINGS max_insert_threads = 1 FORMAT CSV")
                + "&insert_deduplication_token=t-3", "4\n");
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(200, post(query("INSERT INTO token_events SETTINGS max_insert_threads = 1 FORMAT CSV")
                + "&insert_deduplication_token=t-3", "5\n").statusCode());
        assertEquals("4\t10\n", post("", "SELECT count(), sum(id) FROM token_events").body());

        // what a statement's SETTINGS set ends with it: the next insert in the same kept session has no token
        assertEquals(200, post(insert, "6\n").statusCode());
        assertEquals(200, post(insert + "&input_format_csv_skip_first_lines=1", "header\n7\n").statusCode());
        assertEquals(200, post(insert, "8\n").statusCode());
        HttpResponse<String> byGet = get(insert.replace("FORMAT+CSV", "VALUES+(9)"));
        assertEquals("164", byGet.headers().firstValue("X-ClickHouse-Exception-Code").orElseThrow(), byGet.body());
        assertEquals(200, post(insert, "10\n").statusCode(), "a GET's readonly ended with it");
        assertEquals("[1,2,3,4,6,7,8,10]\n", post("", "SELECT groupArray(id) FROM (SELECT id FROM token_events ORDER BY id) "
                + "FORMAT TSV").body());
    }
}

package io.freshet.ingest.segment;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Segment-compatible tracking API against the real stack: how a message maps onto a stored event, and refusals. */
class SegmentApiIT {

    private static TestTenant tenant;
    private static String writeKey;

    @BeforeAll
    static void tenant() {
        tenant = TestTenants.create("segment");
        writeKey = TestTenants.createKey(tenant.id(), "write").apiKey();
    }

    private static RequestSpecification basic(String key) {
        return given().baseUri(LocalStack.ingestUrl()).auth().preemptive().basic(key, "");
    }

    @Test
    void aTrackCallIsStoredOnceWithItsNameItsClientsCorrectedTimeAndEverythingElseKept() {
        String user = "u-" + System.nanoTime();
        String track = """
                {"userId":"%s","event":"Order Completed","messageId":"ajs-123-not-a-uuid","properties":{"revenue":42},
                 "timestamp":"2026-01-01T10:00:00Z","sentAt":"2026-01-01T10:00:05Z",
                 "context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36","ip":"203.0.113.9"}}"""
                .formatted(user);
        for (int attempt = 0; attempt < 2; attempt++) { // an SDK's retry sends the same message again
            basic(writeKey).contentType(ContentType.JSON).body(track).post("/v1/track")
                    .then().statusCode(200).body("success", equalTo(true))
                    .body("ids", contains(SegmentMessages.eventId("ajs-123-not-a-uuid")));
        }
        String where = " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' AND user_id = '" + user + "'";
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.query("SELECT count()" + where).equals("1"));
        assertEquals("Order Completed\tChrome\t5000", ClickHouseProbe.query("SELECT type, browser, "
                + "dateDiff('millisecond', event_time, received_at)" + where), "the client's clock, 5 s ahead, is corrected");
        String properties = ClickHouseProbe.query("SELECT properties" + where);
        assertTrue(properties.contains("\"revenue\":42") && properties.contains("\"$segment\"")
                && properties.contains("\"ip\":\"203.0.113.9\"") && properties.contains("\"messageId\":\"ajs-123-not-a-uuid\""),
                properties);
    }

    @Test
    void aBatchWithTheWriteKeyInItsBodyReportsEachBadMessageByIndex() {
        String batch = """
                {"writeKey":"%s","batch":[
                  {"type":"page","name":"Home","anonymousId":"anon-1"},
                  {"type":"teleport","userId":"u1"},
                  {"type":"identify","traits":{"plan":"pro"}},
                  {"type":"track","userId":"u1"}]}""".formatted(writeKey);
        given().baseUri(LocalStack.ingestUrl()).contentType("text/plain").body(batch).post("/v1/batch")
                .then().statusCode(200).body("accepted", equalTo(1)).body("rejected", equalTo(3))
                .body("errors.index", contains(1, 2, 3))
                .body("errors.code", contains("invalid_call", "missing_user", "missing_event"));
    }

    @Test
    void aBatchWhoseContextWouldBeCopiedIntoEveryMessageIsRefusedOnceAndStoresNothing() {
        // 1,000 tiny messages and a 400 KB context: under the 500 KB bound, yet 400 MB of events if copied into each
        String batch = "{\"writeKey\":\"" + writeKey + "\",\"context\":{\"pad\":\"" + "x".repeat(400_000) + "\"},\"batch\":["
                + String.join(",", Collections.nCopies(1000,
                "{\"type\":\"track\",\"event\":\"context.bomb\",\"userId\":\"u1\"}")) + "]}";
        given().baseUri(LocalStack.ingestUrl()).contentType(ContentType.JSON).body(batch).post("/v1/batch")
                .then().statusCode(413).body("error.code", equalTo("context_too_large"));
        // an ordinary context goes into each message's envelope
        String ordinary = "{\"writeKey\":\"" + writeKey + "\",\"context\":{\"library\":{\"name\":\"test\"}},\"batch\":["
                + "{\"type\":\"track\",\"event\":\"context.ordinary\",\"userId\":\"u1\"},"
                + "{\"type\":\"track\",\"event\":\"context.ordinary\",\"userId\":\"u2\",\"context\":{\"ip\":\"1.2.3.4\"}}]}";
        given().baseUri(LocalStack.ingestUrl()).contentType(ContentType.JSON).body(ordinary).post("/v1/batch")
                .then().statusCode(200).body("accepted", equalTo(2));
        String stored = " FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' AND type = ";
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.query("SELECT count()" + stored
                + "'context.ordinary' AND JSONExtractString(properties, '$segment', 'context', 'library', 'name') = 'test'")
                .equals("2"));
        assertEquals("0", ClickHouseProbe.query("SELECT count()" + stored + "'context.bomb'"));
    }

    @Test
    void aGzippedBatchIsAcceptedAndACompressedBombRefused() throws Exception {
        String batch = "{\"batch\":[{\"type\":\"track\",\"event\":\"Zipped\",\"userId\":\"u1\"}]}";
        basic(writeKey).contentType(ContentType.JSON).header("Content-Encoding", "gzip").body(gzip(batch.getBytes(StandardCharsets.UTF_8)))
                .post("/v1/batch").then().statusCode(200).body("accepted", equalTo(1));
        byte[] bomb = gzip(" ".repeat(20_000_000).getBytes(StandardCharsets.UTF_8)); // 20 MB inflated, 20 KB sent
        basic(writeKey).contentType(ContentType.JSON).header("Content-Encoding", "gzip").body(bomb)
                .post("/v1/batch").then().statusCode(413);
    }

    @Test
    void refusalsAreTheContractsErrors() {
        given().baseUri(LocalStack.ingestUrl()).contentType(ContentType.JSON).body("{\"batch\":[]}").post("/v1/batch")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        basic(tenant.apiKey()).contentType(ContentType.JSON).body("{\"batch\":{}}").post("/v1/batch")
                .then().statusCode(400).body("error.code", equalTo("invalid_batch"));
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        basic(readKey).contentType(ContentType.JSON).body("{\"userId\":\"u\",\"event\":\"x\"}").post("/v1/track")
                .then().statusCode(403).body("error.code", equalTo("wrong_scope"));
        String big = "{\"batch\":[" + ("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"properties\":{\"p\":\""
                + "x".repeat(1000) + "\"}},").repeat(520) + "{}]}";
        basic(writeKey).contentType(ContentType.JSON).body(big).post("/v1/batch")
                .then().statusCode(413).body("error.code", equalTo("batch_too_large"));
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }
}

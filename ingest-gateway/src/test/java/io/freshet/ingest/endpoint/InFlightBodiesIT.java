package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory stays bounded however many clients upload at once: stalled uploads hold the stack's in-flight
 * body budget (64 MiB, bodies up to 5 MiB), so the next big one gets 503 before its body is read, a
 * small one still fits, strangers are refused before they upload anything, and a dropped connection
 * gives its share back.
 */
class InFlightBodiesIT {

    private static final long MAX_BODY = 5L * 1024 * 1024;
    private static final long BUDGET = 64L * 1024 * 1024;

    @Test
    void stalledUploadsFillTheBudgetAndGiveItBackWhenTheyDrop() throws Exception {
        TestTenant tenant = TestTenants.create("budget");
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < BUDGET / MAX_BODY; i++) {
                stalled.add(startUpload(tenant.bearer(), MAX_BODY));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inFlightBytes() == (BUDGET / MAX_BODY) * MAX_BODY);

            try (Socket refused = startUpload(tenant.bearer(), MAX_BODY)) {
                String answer = readAnswer(refused.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.contains("Retry-After: 1") || answer.contains("retry-after: 1"), answer);
                assertTrue(answer.contains("\"gateway_busy\""), answer);
            }
            given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer())
                    .contentType(ContentType.JSON).body("{\"type\":\"budget.small\"}")
                    .post("/v1/events").then().statusCode(202);
            try (Socket stranger = startUpload("Bearer fsk_not-a-key", MAX_BODY)) {
                String answer = readAnswer(stranger.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlightBytes() == 0);
    }

    /** Sends a request's head and the first byte of its body, then nothing more. */
    private static Socket startUpload(String authorization, long contentLength) throws IOException {
        URI ingest = URI.create(LocalStack.ingestUrl());
        Socket socket = new Socket(ingest.getHost(), ingest.getPort());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("POST /v1/events HTTP/1.1\r\nHost: " + ingest.getHost() + "\r\n"
                + "Authorization: " + authorization + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status line, headers and body of an answer the server sent before reading the request body. */
    private static String readAnswer(InputStream in) throws IOException {
        var answer = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            answer.append((char) c);
            if (answer.toString().endsWith("}")) {
                break;
            }
        }
        return answer.toString();
    }

    private static long inFlightBytes() {
        return (long) Metrics.sum(LocalStack.ingestUrl(), "freshet_ingest_in_flight_body_bytes");
    }
}

package io.freshet.ingest.limit;

import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers cannot stall ingest, acting as one would: 64 connections without any key, from 16 addresses, each
 * {@code POST /v1/batch} (the Segment path, whose key may be in the body) declaring 400 KB and sending one byte every
 * 2 s. They hold only the budget of bodies whose key is inside them: authenticated clients are answered 202 all the
 * while, and every stranger is answered (429 beyond two uploads per address, 503 past that budget, 408 once its body
 * is slower than the minimum rate) within a bounded time.
 */
class IngestAdmissionIT {

    private static final int STRANGERS = 64;
    private static final int ADDRESSES = 16;
    private static final int DECLARED = 400 * 1024;
    /** 5 s of grace plus 400 KiB at 16 KiB/s, and some slack for a loaded machine. */
    private static final Duration CUT_WITHIN = Duration.ofSeconds(45);

    @Test
    void tricklingStrangersHoldNothingAuthenticatedClientsNeedAndAreCutInBoundedTime() throws Exception {
        TestTenant tenant = TestTenants.create("trickle");
        List<Socket> strangers = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < STRANGERS; i++) {
                strangers.add(startUpload(InetAddress.getByName("127.0.0." + (2 + i % ADDRESSES))));
            }
            trickle.scheduleAtFixedRate(() -> strangers.forEach(IngestAdmissionIT::sendOneByte), 2, 2, TimeUnit.SECONDS);
            List<CompletableFuture<String>> answers = strangers.stream()
                    .map(socket -> CompletableFuture.supplyAsync(() -> readAnswer(socket))).toList();
            long start = System.nanoTime();

            // while they trickle, authenticated clients are served, small and large bodies alike
            String event = "{\"type\":\"trickle.large\",\"properties\":{\"pad\":\"" + "x".repeat(900) + "\"}}";
            String large = "[" + String.join(",", Collections.nCopies(1000, event)) + "]"; // about 1 MB
            for (int i = 0; i < 10; i++) {
                given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer())
                        .contentType(ContentType.JSON).body(i % 2 == 0 ? "{\"type\":\"trickle.small\"}" : large)
                        .post("/v1/events").then().statusCode(202);
            }

            List<String> statuses = new ArrayList<>();
            for (CompletableFuture<String> answer : answers) {
                String text = answer.get(CUT_WITHIN.toSeconds(), TimeUnit.SECONDS);
                statuses.add(text.isEmpty() ? "none" : text.substring(9, 12));
                assertTrue(text.contains("\"error\""), text);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(CUT_WITHIN) < 0, "every stranger answered within " + CUT_WITHIN + ", took " + took);
            assertEquals(STRANGERS, statuses.stream().filter(s -> s.equals("429") || s.equals("503") || s.equals("408"))
                    .count(), statuses.toString());
            assertTrue(statuses.contains("408"), "the admitted trickles were cut: " + statuses);
            assertTrue(statuses.contains("429"), "a third upload from one address is refused: " + statuses);
        } finally {
            trickle.shutdownNow();
            for (Socket socket : strangers) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Metrics.sum(LocalStack.ingestUrl(), "freshet_ingest_in_flight_key_in_body_bytes") == 0);
    }

    /**
     * The minimum rate is the client's, not the gateway's: a body sent while the gateway stood still (a pause, as a
     * VM freeze or a long GC would do it; the chaos round's SIGSTOP) waits unread in the socket and must not be cut.
     */
    @Test
    void aBodySentWhileTheGatewayStoodStillIsNotCutAsSlow() throws Exception {
        TestTenant tenant = TestTenants.create("paused-gateway");
        byte[] body = "[{\"type\":\"sent.during.a.pause\"}]".getBytes(StandardCharsets.US_ASCII);
        URI ingest = URI.create(LocalStack.ingestUrl());
        try (Socket socket = new Socket(ingest.getHost(), ingest.getPort())) {
            socket.setSoTimeout((int) CUT_WITHIN.toMillis());
            socket.getOutputStream().write(("POST /v1/events HTTP/1.1\r\nHost: " + ingest.getHost() + "\r\n"
                    + "Authorization: " + tenant.bearer() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // admitted: its body's deadline (5 s of grace for a body this small) runs from here
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Metrics.sum(LocalStack.ingestUrl(), "freshet_ingest_in_flight_body_bytes") >= body.length);
            Freshet.signal("ingest-gateway", "STOP");
            try {
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
                Thread.sleep(7_000); // the pause itself, past the deadline: a fault's length, not a wait for a condition
            } finally {
                Freshet.signal("ingest-gateway", "CONT");
            }
            assertEquals("HTTP/1.1 202 Accepted", statusLine(socket));
        }
    }

    private static String statusLine(Socket socket) throws IOException {
        var line = new StringBuilder();
        InputStream in = socket.getInputStream();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** A request's head without a key and the first byte of its body, from the given local address. */
    private static Socket startUpload(InetAddress from) throws IOException {
        URI ingest = URI.create(LocalStack.ingestUrl());
        Socket socket = new Socket(ingest.getHost(), ingest.getPort(), from, 0);
        socket.setSoTimeout((int) CUT_WITHIN.toMillis());
        socket.getOutputStream().write(("POST /v1/batch HTTP/1.1\r\nHost: " + ingest.getHost() + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + DECLARED + "\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static void sendOneByte(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(' ');
            out.flush();
        } catch (IOException answeredAndClosed) {
            // the gateway closed it after its answer: nothing more to send
        }
    }

    /** The status line, headers and body of the gateway's answer; empty if the connection closed without one. */
    private static String readAnswer(Socket socket) {
        var answer = new StringBuilder();
        try {
            InputStream in = socket.getInputStream();
            int c;
            while ((c = in.read()) != -1) {
                answer.append((char) c);
                if (answer.charAt(answer.length() - 1) == '}' && answer.toString().endsWith("}}")) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("no answer for a stranger within " + CUT_WITHIN + ": " + answer, e);
        }
        return answer.toString();
    }
}

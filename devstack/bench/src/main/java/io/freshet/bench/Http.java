package io.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The gateway and the admin API over HTTP/1.1, as clients reach them. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KEY_PROPAGATION = Duration.ofSeconds(30);
    private static final byte[] EMPTY_BATCH = "[]".getBytes(StandardCharsets.UTF_8);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final BenchSettings settings;

    Http(BenchSettings settings) {
        this.settings = settings;
    }

    /** What the gateway answered a batch: its status, and for a 202 the events it accepted and rejected. */
    record Answer(int status, int accepted, int rejected) {
    }

    /** Posts a JSON body of events with a tenant's key; completes with the answer, or exceptionally when none came. */
    CompletableFuture<Answer> postEvents(String apiKey, byte[] body) {
        return postEvents(apiKey, body, TIMEOUT);
    }

    /** The same, giving up on an answer after {@code timeout} (a client that retries does not wait long). */
    CompletableFuture<Answer> postEvents(String apiKey, byte[] body, Duration timeout) {
        var request = HttpRequest.newBuilder(URI.create(settings.ingestUrl() + "/v1/events")).timeout(timeout)
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 202) {
                return new Answer(response.statusCode(), 0, 0);
            }
            try {
                JsonNode answer = JSON.readTree(response.body());
                return new Answer(202, answer.path("accepted").asInt(), answer.path("rejected").asInt());
            } catch (IOException e) {
                throw new BenchException("the gateway answered 202 with a body that is not its JSON", e);
            }
        });
    }

    /**
     * Creates a tenant through the admin API and returns its API key once the gateway takes it: a new key reaches the
     * gateway through freshet.tenants a moment later, and a batch or marker sent before would be refused (401).
     */
    String createTenant(String id) throws InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(settings.analyticsUrl() + "/v1/admin/tenants")).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + settings.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build();
        String apiKey = readTree(exchange(request, 201, "admin API", settings.analyticsUrl(), "creating tenant '" + id + "'"))
                .path("apiKey").asText();
        awaitKnownByTheGateway(id, apiKey);
        return apiKey;
    }

    /** The router's summary of a tenant's dead letters ({@code GET /v1/admin/dlq?tenant=}). */
    JsonNode deadLetters(String tenant) {
        var request = HttpRequest.newBuilder(URI.create(settings.routerUrl() + "/v1/admin/dlq?tenant=" + tenant))
                .timeout(TIMEOUT).header("Authorization", "Bearer " + settings.adminToken()).GET().build();
        try {
            return readTree(exchange(request, 200, "router", settings.routerUrl(), "the DLQ summary"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while asking the router for dead letters", e);
        }
    }

    /** The body of an admin call's answer with the status expected; else a BenchException naming the call. */
    private String exchange(HttpRequest request, int expected, String service, String url, String what) throws InterruptedException {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new BenchException("the " + service + " answered " + response.statusCode() + " to " + what + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new BenchException("cannot reach the " + service + " at " + url, e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new BenchException("an answer that is not JSON: " + json, e);
        }
    }

    /** An empty batch stores nothing: 400 once the gateway knows the key, 401 before. */
    private void awaitKnownByTheGateway(String id, String apiKey) throws InterruptedException {
        long deadline = System.nanoTime() + KEY_PROPAGATION.toNanos();
        while (postEvents(apiKey, EMPTY_BATCH).join().status() == 401) {
            if (System.nanoTime() - deadline > 0) {
                throw new BenchException("the gateway still refuses the key of tenant '" + id + "' " + KEY_PROPAGATION.toSeconds()
                        + " s after the admin API created it");
            }
            Thread.sleep(50);
        }
    }
}

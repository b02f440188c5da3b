package io.freshet.analytics.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.LocalStack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A graphql-transport-ws connection to the analytics API on the JDK's WebSocket, held as a script (or a page, with
 * its Origin) would: the messages of each operation in order, the acknowledgement, how the server closed it.
 */
final class GraphQLWebSocket implements AutoCloseable {

    static final String SUBPROTOCOL = "graphql-transport-ws";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, BlockingQueue<JsonNode>> operations = new ConcurrentHashMap<>();
    private final CompletableFuture<Boolean> acknowledged = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private GraphQLWebSocket(String origin) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().subprotocols(SUBPROTOCOL).connectTimeout(Duration.ofSeconds(10));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        this.socket = builder.buildAsync(url(), new Listener()).join();
    }

    /** An open connection, as a client that is no browser opens it (no Origin). */
    static GraphQLWebSocket open() {
        return new GraphQLWebSocket(null);
    }

    /** An open connection, as a page of this origin opens it. */
    static GraphQLWebSocket openFrom(String origin) {
        return new GraphQLWebSocket(origin);
    }

    /** The HTTP status of the upgrade the server refused, as a page of this origin asked it; fails if it upgraded. */
    static int refusedUpgradeFrom(String origin) {
        try {
            new GraphQLWebSocket(origin).close();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
        throw new AssertionError("The upgrade from " + origin + " was accepted");
    }

    /** A connection whose read key was acknowledged (connection_ack). */
    static GraphQLWebSocket initialized(String readKey) throws Exception {
        GraphQLWebSocket connection = open();
        if (!connection.init(readKey)) {
            throw new AssertionError("The key was refused: closed with " + connection.closed.getNow(null));
        }
        return connection;
    }

    /** Sends connection_init with the key; true once acknowledged, false when the server closed the socket instead. */
    boolean init(String apiKey) throws Exception {
        send(Map.of("type", "connection_init", "payload", Map.of("Authorization", "Bearer " + apiKey)));
        return CompletableFuture.anyOf(acknowledged, closed).thenApply(done -> acknowledged.isDone())
                .get(15, TimeUnit.SECONDS);
    }

    void subscribe(String id, String query) throws Exception {
        send(Map.of("type", "subscribe", "id", id, "payload", Map.of("query", query)));
    }

    /** Ends the operation from the client's side. */
    void complete(String id) throws Exception {
        send(Map.of("type", "complete", "id", id));
    }

    /** The operation's next message (next, error, complete); fails when none comes in time. */
    JsonNode next(String id, Duration timeout) throws InterruptedException {
        JsonNode message = operations.computeIfAbsent(id, ignored -> new LinkedBlockingQueue<>())
                .poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(message, "operation " + id + " got no message within " + timeout);
        return message;
    }

    /** The code of the error a message carries (a next with errors, or an error message); null for an answer. */
    static String errorCode(JsonNode message) {
        JsonNode payload = message.path("payload");
        JsonNode errors = message.path("type").asText().equals("error") ? payload : payload.path("errors");
        return errors.isArray() && !errors.isEmpty() ? errors.get(0).path("extensions").path("code").asText(null) : null;
    }

    /** The close code the server sent. */
    int awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(failure -> null);
        }
        socket.abort();
    }

    private void send(Map<String, Object> message) throws Exception {
        socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
    }

    private static URI url() {
        return URI.create(LocalStack.analyticsUrl().replaceFirst("^http", "ws") + "/graphql");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence part, boolean last) {
            text.append(part);
            if (last) {
                receive(webSocket, text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void receive(WebSocket webSocket, String raw) {
            try {
                JsonNode message = JSON.readTree(raw);
                switch (message.path("type").asText()) {
                    case "connection_ack" -> acknowledged.complete(true);
                    case "ping" -> webSocket.sendText("{\"type\":\"pong\"}", true);
                    default -> operations.computeIfAbsent(message.path("id").asText(), ignored -> new LinkedBlockingQueue<>())
                            .add(message);
                }
            } catch (Exception e) {
                throw new IllegalStateException("Not a graphql-transport-ws message: " + raw, e);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}

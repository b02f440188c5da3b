package io.freshet.devstack.clickhouse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * ClickHouse's HTTP interface: {@code /ping} and {@code /} for readiness, queries by GET or POST on
 * {@code /}, results and errors with the headers and texts the official clients expect.
 */
final class ClickHouseHttpHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(ClickHouseHttpHandler.class.getName());
    private static final byte[] OK = "Ok.\n".getBytes(StandardCharsets.UTF_8);
    private static final String DISPLAY_NAME = "freshet-clickhouse";

    private final ChdbEngine engine;
    private final Path spillDirectory;

    ClickHouseHttpHandler(ChdbEngine engine, Path spillDirectory) {
        this.engine = engine;
        this.spillDirectory = spillDirectory;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        try (exchange) {
            // Clients drop idle connections before the server does (its idle limit is 30 s), so none reuses a closed one.
            exchange.getResponseHeaders().set("Keep-Alive", "timeout=10");
            boolean readiness = path.equals("/ping") || path.equals("/replicas_status")
                    || (path.equals("/") && !method.equals("POST") && !hasQueryParameter(rawQuery));
            if (readiness) {
                send(exchange, 200, "text/html; charset=UTF-8", OK);
                return;
            }
            if (!path.equals("/")) {
                send(exchange, 404, "text/plain; charset=UTF-8", ("There is no handle " + path
                        + "\n\nUse / or /ping for health checks.\nSend queries with POST to / or GET /?query=...\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            query(exchange, method, rawQuery, started);
        } catch (IOException e) {
            // The client went away mid-response: nothing left to tell it.
            LOG.log(System.Logger.Level.DEBUG, () -> method + " " + path + " aborted: " + e.getMessage());
        }
    }

    private static boolean hasQueryParameter(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.equals("query") || pair.startsWith("query=")) {
                return true;
            }
        }
        return false;
    }

    private void query(HttpExchange exchange, String method, String rawQuery, long started) throws IOException {
        String queryId = exchange.getRequestHeaders().getFirst("X-ClickHouse-Query-Id");
        String keyword = "";
        try {
            QueryRequest request = QueryRequest.of(method, rawQuery, exchange.getRequestHeaders(), engine.version());
            queryId = request.queryId();
            try (RequestBody body = readBody(exchange)) {
                ClickHouseStatement statement = ClickHouseStatement.of(request.urlQuery(), body, engine.version());
                keyword = statement.keyword();
                boolean settingsInStatement = statement.carriesSettings();
                String reuseKey = statement.sharesSession() ? request.sessionKey(settingsInStatement) : null;
                try (ChdbResult result = engine.inSession(reuseKey,
                        session -> {
                            String setupError = request.prepare(session, settingsInStatement);
                            if (setupError != null) {
                                throw ClickHouseError.fromEngine(setupError, engine.version());
                            }
                        },
                        session -> statement.runIn(session, request.defaultFormat(), request.parameters(),
                                settingsInStatement ? request.settingsClause() : ""))) {
                    if (result.failed()) {
                        throw ClickHouseError.fromEngine(result.error(), engine.version());
                    }
                    sendResult(exchange, method, request, statement, result);
                    logRequest(method, 200, keyword, queryId, result.summary(), started);
                }
            }
        } catch (ClickHouseError error) {
            sendError(exchange, queryId, error);
            logRequest(method, error.httpStatus(), keyword, queryId, QuerySummary.EMPTY, started);
        } catch (RuntimeException e) {
            // A fault of this endpoint, not of the statement: the client still gets a server error it can read.
            LOG.log(System.Logger.Level.WARNING, "Request " + queryId + " failed inside the endpoint", e);
            sendError(exchange, queryId, ClickHouseError.of(ClickHouseError.STD_EXCEPTION, "STD_EXCEPTION",
                    "The endpoint failed: " + e, engine.version()));
        }
    }

    private RequestBody readBody(HttpExchange exchange) throws IOException, ClickHouseError {
        if (exchange.getRequestMethod().equalsIgnoreCase("GET") || exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
            return RequestBody.empty();
        }
        Headers headers = exchange.getRequestHeaders();
        String contentType = headers.getFirst("Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ClickHouseError.of(ClickHouseError.NOT_IMPLEMENTED, "NOT_IMPLEMENTED",
                    "This endpoint does not accept multipart/form-data (external tables, parameters in the body): "
                            + "send the query and param_<name> values in the URL or the body", engine.version());
        }
        try (InputStream in = decoded(exchange.getRequestBody(), headers.getFirst("Content-Encoding"))) {
            return RequestBody.read(in, spillDirectory);
        }
    }

    /** HTTP compression of request bodies, as far as the JDK can decode it. */
    private InputStream decoded(InputStream in, String encoding) throws IOException, ClickHouseError {
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return in;
        }
        return switch (encoding.strip().toLowerCase(Locale.ROOT)) {
            case "gzip", "x-gzip" -> new GZIPInputStream(in, 64 * 1024);
            case "deflate" -> new InflaterInputStream(in);
            default -> throw ClickHouseError.of(ClickHouseError.NOT_IMPLEMENTED, "NOT_IMPLEMENTED",
                    "Content-Encoding '" + encoding + "' is not supported by this endpoint: send the body uncompressed, "
                            + "gzip or deflate", engine.version());
        };
    }

    private void sendResult(HttpExchange exchange, String method, QueryRequest request, ClickHouseStatement statement,
                            ChdbResult result) throws IOException {
        String format = statement.outputFormat(request.defaultFormat());
        Headers headers = exchange.getResponseHeaders();
        headers.set("X-ClickHouse-Server-Display-Name", DISPLAY_NAME);
        headers.set("X-ClickHouse-Query-Id", request.queryId());
        headers.set("X-ClickHouse-Format", format);
        headers.set("X-ClickHouse-Timezone", request.timeZone());
        headers.set("X-ClickHouse-Summary", result.summary().toJson());
        headers.set("Content-Type", ContentTypes.of(format));
        MemorySegment output = result.output();
        long length = output.byteSize();
        exchange.sendResponseHeaders(200, length == 0 || method.equals("HEAD") ? -1 : length);
        if (length == 0 || method.equals("HEAD")) {
            return;
        }
        // Straight from the engine's buffer to the socket, through one small reusable array.
        byte[] buffer = new byte[(int) Math.min(length, 256 * 1024)];
        OutputStream out = exchange.getResponseBody();
        for (long at = 0; at < length; ) {
            int n = (int) Math.min(buffer.length, length - at);
            MemorySegment.copy(output, JAVA_BYTE, at, buffer, 0, n);
            out.write(buffer, 0, n);
            at += n;
        }
    }

    private void sendError(HttpExchange exchange, String queryId, ClickHouseError error) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("X-ClickHouse-Server-Display-Name", DISPLAY_NAME);
        if (queryId != null) {
            headers.set("X-ClickHouse-Query-Id", queryId);
        }
        headers.set("X-ClickHouse-Exception-Code", Integer.toString(error.code()));
        send(exchange, error.httpStatus(), "text/plain; charset=UTF-8", error.body().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            exchange.getResponseBody().write(body);
        }
    }

    private static void logRequest(String method, int status, String keyword, String queryId,
                                   QuerySummary summary, long started) {
        LOG.log(System.Logger.Level.DEBUG, () -> String.format(Locale.ROOT,
                "%s %d %s query_id=%s read_rows=%d written_rows=%d result_rows=%d %.1f ms",
                method, status, keyword.isEmpty() ? "-" : keyword, queryId, summary.readRows(), summary.writtenRows(),
                summary.resultRows(), (System.nanoTime() - started) / 1e6));
    }
}

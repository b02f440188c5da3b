package io.freshet.devstack.clickhouse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The statement of one HTTP request, with ClickHouse's semantics: the {@code query} URL parameter
 * and a newline, followed by the request body. An {@code INSERT ... FORMAT f} (or {@code VALUES})
 * whose data follows in that text is split into its head and its data, and the data is streamed
 * into the engine; anything else runs as one SQL text.
 */
final class ClickHouseStatement {

    /** How much of the text is read to find the statement head: far more than any real head. */
    private static final int HEAD_WINDOW = 1 << 20;

    private final byte[] urlPart;
    private final RequestBody body;
    private final byte[] window;
    private final StatementShape shape;

    private ClickHouseStatement(byte[] urlPart, RequestBody body, byte[] window, StatementShape shape) {
        this.urlPart = urlPart;
        this.body = body;
        this.window = window;
        this.shape = shape;
    }

    static ClickHouseStatement of(String urlQuery, RequestBody body, String version) throws ClickHouseError {
        byte[] urlPart = urlQuery == null || urlQuery.isEmpty()
                ? new byte[0]
                : (urlQuery + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bodyHead = body.prefix(Math.max(0, HEAD_WINDOW - urlPart.length));
        byte[] window = Arrays.copyOf(urlPart, urlPart.length + bodyHead.length);
        System.arraycopy(bodyHead, 0, window, urlPart.length, bodyHead.length);
        StatementShape shape = StatementShape.of(window, window.length);
        if (shape.empty()) {
            throw ClickHouseError.of(ClickHouseError.SYNTAX_ERROR, "SYNTAX_ERROR", "Empty query", version);
        }
        boolean windowIsWholeText = window.length == urlPart.length + body.size();
        if (shape.insertsData() && !windowIsWholeText && shape.insertDataStart() >= window.length) {
            // The format name may have been cut off by the window: let the engine parse the whole text.
            shape = new StatementShape(shape.keyword(), false, false, null, -1, -1, null, false, true);
        } else if (!shape.insertsData() && !windowIsWholeText) {
            // read in part only: what the rest does to its session is unknown, so it gets a session of its own
            shape = new StatementShape(shape.keyword(), shape.empty(), shape.complete(), null, -1, -1,
                    shape.outputFormat(), shape.multiStatement(), true);
        }
        if (shape.multiStatement()) {
            throw ClickHouseError.of(ClickHouseError.SYNTAX_ERROR, "SYNTAX_ERROR",
                    "Multi-statements are not allowed", version);
        }
        return new ClickHouseStatement(urlPart, body, window, shape);
    }

    /** The first keyword, for logs. */
    String keyword() {
        return shape.keyword();
    }

    /** The output format: the statement's own FORMAT clause, else the request's default. */
    String outputFormat(String defaultFormat) {
        return shape.outputFormat() != null ? shape.outputFormat() : defaultFormat;
    }

    /** Whether it may run in a session kept for other requests: it leaves nothing behind in it. */
    boolean sharesSession() {
        return !shape.sessionBound();
    }

    /**
     * Whether the request's settings go into the statement itself (an INSERT's SETTINGS clause) rather than into its
     * session: an insert's settings differ per request (its deduplication token), so its session can still be shared.
     */
    boolean carriesSettings() {
        return shape.insertsData() && !shape.sessionBound();
    }

    /** @param settingsClause the request's settings as a SETTINGS clause when {@link #carriesSettings()}, else empty */
    ChdbResult runIn(ChdbSession session, String defaultFormat, Map<String, String> parameters, String settingsClause)
            throws IOException {
        if (shape.insertsData()) {
            return streamInsert(session, parameters, settingsClause);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(Math.max(1, urlPart.length + body.size()))
                    .asSlice(0, urlPart.length + body.size());
            MemorySegment.copy(urlPart, 0, text, JAVA_BYTE, 0, urlPart.length);
            body.copyTo(text, urlPart.length);
            return session.execute(text, defaultFormat, parameters);
        }
    }

    private ChdbResult streamInsert(ChdbSession session, Map<String, String> parameters, String settingsClause)
            throws IOException {
        byte[] clause = settingsClause.getBytes(StandardCharsets.UTF_8);
        byte[] head = Arrays.copyOf(window, shape.insertHeadEnd() + clause.length);
        System.arraycopy(clause, 0, head, shape.insertHeadEnd(), clause.length);
        int dataStart = shape.insertDataStart();
        return session.insert(head, shape.insertFormat(), parameters, (staging, sink) -> {
            // Data written inline in the query parameter comes before the body's.
            for (int at = dataStart; at < urlPart.length; at += (int) staging.byteSize()) {
                int n = (int) Math.min(staging.byteSize(), urlPart.length - at);
                MemorySegment.copy(urlPart, at, staging, JAVA_BYTE, 0, n);
                if (!sink.accept(staging.asSlice(0, n))) {
                    return false;
                }
            }
            return body.forEachPiece(Math.max(0, dataStart - urlPart.length), staging, sink);
        });
    }
}

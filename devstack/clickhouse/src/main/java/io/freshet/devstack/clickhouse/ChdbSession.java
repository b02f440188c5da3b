package io.freshet.devstack.clickhouse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One engine connection, prepared for one kind of HTTP request (its database and settings) and kept by
 * {@link ChdbEngine} for the next request of that kind; a statement that would change it (SET, USE, a
 * temporary table) gets one of its own. So, as with a ClickHouse HTTP query without a session_id, no
 * request sees another's settings. Only used while {@link ChdbEngine} holds its lock.
 */
final class ChdbSession implements AutoCloseable {

    /** Native staging for heap-held insert data: one piece at a time, reused. */
    private static final int STAGING_BYTES = 1 << 20;

    private final ChdbApi api;
    private final MemorySegment connectionPointer;
    private final MemorySegment connection;

    ChdbSession(ChdbApi api, MemorySegment connectionPointer) {
        this.api = api;
        this.connectionPointer = connectionPointer;
        this.connection = connectionPointer.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
    }

    /** Supplies an INSERT's data in pieces of native memory. */
    @FunctionalInterface
    interface InsertData {
        /** @return false if {@code sink} refused a piece (the engine failed) */
        boolean writeTo(MemorySegment staging, RequestBody.PieceConsumer sink) throws IOException;
    }

    /** Runs one statement; {@code format} is the output format used when the statement names none. */
    ChdbResult execute(MemorySegment sql, String format, Map<String, String> parameters) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment formatText = utf8(arena, format);
            MemorySegment result = parameters.isEmpty()
                    ? api.queryN(connection, sql, sql.byteSize(), formatText, formatText.byteSize())
                    : api.queryWithParamsN(connection, sql, sql.byteSize(), formatText, formatText.byteSize(),
                            NativeParameters.of(parameters, arena));
            return ChdbResult.own(api, result);
        }
    }

    /** Runs a statement the endpoint writes itself (SET, USE); returns its error text, or null. */
    String executeControl(String sql) {
        try (Arena arena = Arena.ofConfined(); ChdbResult result = execute(utf8(arena, sql), "TabSeparated", Map.of())) {
            return result.error();
        }
    }

    /**
     * Streams an INSERT's data into the engine (chdb_stream_insert_*): the data is never turned into
     * SQL text, and at most one piece of it is staged in native memory at a time.
     *
     * @param head the statement without its FORMAT clause, e.g. {@code INSERT INTO t (a, b)}
     */
    ChdbResult insert(byte[] head, String format, Map<String, String> parameters, InsertData data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment headText = bytes(arena, head);
            MemorySegment formatText = utf8(arena, format);
            MemorySegment stream = parameters.isEmpty()
                    ? api.streamInsertN(connection, headText, headText.byteSize(), formatText, formatText.byteSize())
                    : api.streamInsertWithParamsN(connection, headText, headText.byteSize(), formatText,
                            formatText.byteSize(), NativeParameters.of(parameters, arena));
            if (stream.equals(MemorySegment.NULL)) {
                return ChdbResult.failure("Code: 1001. DB::Exception: The engine could not start the insert. (STD_EXCEPTION)");
            }
            try {
                String openError = api.streamInsertError(stream);
                if (openError != null) {
                    return ChdbResult.failure(openError);
                }
                MemorySegment staging = arena.allocate(STAGING_BYTES);
                boolean allTaken = data.writeTo(staging, piece -> api.streamAppend(stream, piece, piece.byteSize()));
                // done() also reports a failure of the engine's insert worker, so it runs after a refused piece too.
                ChdbResult result = ChdbResult.own(api, api.streamDone(stream));
                if (!allTaken && !result.failed()) {
                    String appendError = api.streamInsertError(stream);
                    result.close();
                    return ChdbResult.failure(appendError != null ? appendError
                            : "Code: 1001. DB::Exception: The engine refused the insert data. (STD_EXCEPTION)");
                }
                return result;
            } finally {
                // Required for every stream; it cancels one that was not finished (e.g. the body could not be read).
                api.destroyInsertStream(stream);
            }
        }
    }

    static MemorySegment utf8(Arena arena, String text) {
        return bytes(arena, text.getBytes(StandardCharsets.UTF_8));
    }

    private static MemorySegment bytes(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
        return segment.asSlice(0, bytes.length);
    }

    @Override
    public void close() {
        api.closeConn(connectionPointer);
    }
}

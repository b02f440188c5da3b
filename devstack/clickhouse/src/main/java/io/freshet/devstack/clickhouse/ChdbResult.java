package io.freshet.devstack.clickhouse;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One statement's outcome, owning the engine's native result until {@link #close()}. The output stays
 * in native memory (no copy onto the heap) and is written to the client after the engine lock is
 * released: a result is independent of the connection that produced it.
 */
final class ChdbResult implements AutoCloseable {

    private final ChdbApi api;
    private final MemorySegment handle;
    private final String error;
    private final MemorySegment output;
    private final QuerySummary summary;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChdbResult(ChdbApi api, MemorySegment handle, String error, MemorySegment output, QuerySummary summary) {
        this.api = api;
        this.handle = handle;
        this.error = error;
        this.output = output;
        this.summary = summary;
    }

    /** Takes ownership of a native result: the caller must close the returned object. */
    static ChdbResult own(ChdbApi api, MemorySegment handle) {
        if (handle.equals(MemorySegment.NULL)) {
            return failure("Code: 1001. DB::Exception: The engine returned no result. (STD_EXCEPTION)");
        }
        String error = api.resultError(handle);
        if (error != null) {
            return new ChdbResult(api, handle, error, MemorySegment.NULL, QuerySummary.EMPTY);
        }
        long length = api.resultLength(handle);
        MemorySegment buffer = api.resultBuffer(handle);
        MemorySegment output = length == 0 || buffer.equals(MemorySegment.NULL)
                ? MemorySegment.NULL
                : buffer.reinterpret(length);
        QuerySummary summary = new QuerySummary(
                api.resultStorageRowsRead(handle),
                api.resultStorageBytesRead(handle),
                api.resultRowsWritten(handle),
                api.resultBytesWritten(handle),
                api.resultRowsRead(handle),
                api.resultBytesRead(handle),
                Math.round(api.resultElapsed(handle) * 1e9));
        return new ChdbResult(api, handle, null, output, summary);
    }

    /** A failure found before or without a native result (e.g. an insert stream that did not open). */
    static ChdbResult failure(String error) {
        return new ChdbResult(null, MemorySegment.NULL, error, MemorySegment.NULL, QuerySummary.EMPTY);
    }

    boolean failed() {
        return error != null;
    }

    /** The engine's error text, or null when the statement succeeded. */
    String error() {
        return error;
    }

    /** The formatted output; a zero-length segment when there is none. Valid until {@link #close()}. */
    MemorySegment output() {
        return output;
    }

    QuerySummary summary() {
        return summary;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && api != null) {
            api.destroyQueryResult(handle);
        }
    }
}

package io.freshet.devstack.clickhouse;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C API of libchdb (chdb.h of chDB 26.7) as Java method handles, one wrapper per function.
 * Nothing here holds state or decides anything: {@link ChdbEngine} and {@link ChdbSession} do.
 */
final class ChdbApi {

    /** chdb_state: CHDBSuccess. */
    static final int SUCCESS = 0;

    private final MethodHandle version;
    private final MethodHandle setSignalHandlersEnabled;
    private final MethodHandle connect;
    private final MethodHandle closeConn;
    private final MethodHandle shutdown;
    private final MethodHandle queryN;
    private final MethodHandle queryWithParamsN;
    private final MethodHandle destroyQueryResult;
    private final MethodHandle resultBuffer;
    private final MethodHandle resultLength;
    private final MethodHandle resultError;
    private final MethodHandle resultElapsed;
    private final MethodHandle resultRowsRead;
    private final MethodHandle resultBytesRead;
    private final MethodHandle resultStorageRowsRead;
    private final MethodHandle resultStorageBytesRead;
    private final MethodHandle resultRowsWritten;
    private final MethodHandle resultBytesWritten;
    private final MethodHandle streamInsertN;
    private final MethodHandle streamInsertWithParamsN;
    private final MethodHandle streamAppend;
    private final MethodHandle streamDone;
    private final MethodHandle streamInsertError;
    private final MethodHandle destroyInsertStream;

    /**
     * Loads the library for the life of the process: the engine keeps global state (threads, caches)
     * that must never be unmapped under it.
     */
    ChdbApi(Path library) {
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        Binder bind = (name, descriptor) -> linker.downcallHandle(
                lookup.find(name).orElseThrow(() -> new IllegalArgumentException(
                        library + " has no symbol " + name + ": it is not a chDB 26.x library")),
                descriptor);

        version = bind.handle("chdb_version", FunctionDescriptor.of(ADDRESS));
        setSignalHandlersEnabled = bind.handle("chdb_set_signal_handlers_enabled", FunctionDescriptor.ofVoid(JAVA_INT));
        connect = bind.handle("chdb_connect", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        closeConn = bind.handle("chdb_close_conn", FunctionDescriptor.ofVoid(ADDRESS));
        shutdown = bind.handle("chdb_shutdown", FunctionDescriptor.of(JAVA_INT));
        queryN = bind.handle("chdb_query_n",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        queryWithParamsN = bind.handle("chdb_query_with_params_n", FunctionDescriptor.of(ADDRESS,
                ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        destroyQueryResult = bind.handle("chdb_destroy_query_result", FunctionDescriptor.ofVoid(ADDRESS));
        resultBuffer = bind.handle("chdb_result_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultLength = bind.handle("chdb_result_length", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultError = bind.handle("chdb_result_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultElapsed = bind.handle("chdb_result_elapsed", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS));
        resultRowsRead = bind.handle("chdb_result_rows_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultBytesRead = bind.handle("chdb_result_bytes_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultStorageRowsRead = bind.handle("chdb_result_storage_rows_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultStorageBytesRead = bind.handle("chdb_result_storage_bytes_read", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultRowsWritten = bind.handle("chdb_result_rows_written", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultBytesWritten = bind.handle("chdb_result_bytes_written", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        streamInsertN = bind.handle("chdb_stream_insert_n",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        streamInsertWithParamsN = bind.handle("chdb_stream_insert_with_params_n", FunctionDescriptor.of(ADDRESS,
                ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        streamAppend = bind.handle("chdb_stream_append", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        streamDone = bind.handle("chdb_stream_done", FunctionDescriptor.of(ADDRESS, ADDRESS));
        streamInsertError = bind.handle("chdb_stream_insert_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        destroyInsertStream = bind.handle("chdb_destroy_insert_stream", FunctionDescriptor.ofVoid(ADDRESS));
    }

    @FunctionalInterface
    private interface Binder {
        MethodHandle handle(String name, FunctionDescriptor descriptor);
    }

    String version() {
        try {
            return cString((MemorySegment) version.invokeExact());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    void setSignalHandlersEnabled(boolean enabled) {
        try {
            setSignalHandlersEnabled.invokeExact(enabled ? 1 : 0);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** Returns a {@code chdb_connection *} (pointer to the handle), or NULL when the engine refused. */
    MemorySegment connect(int argc, MemorySegment argv) {
        try {
            return (MemorySegment) connect.invokeExact(argc, argv);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    void closeConn(MemorySegment connectionPointer) {
        try {
            closeConn.invokeExact(connectionPointer);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    boolean shutdown() {
        try {
            return (int) shutdown.invokeExact() == SUCCESS;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    MemorySegment queryN(MemorySegment conn, MemorySegment query, long queryLength, MemorySegment format, long formatLength) {
        try {
            return (MemorySegment) queryN.invokeExact(conn, query, queryLength, format, formatLength);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    MemorySegment queryWithParamsN(MemorySegment conn, MemorySegment query, long queryLength,
                                   MemorySegment format, long formatLength, NativeParameters params) {
        try {
            return (MemorySegment) queryWithParamsN.invokeExact(conn, query, queryLength, format, formatLength,
                    params.names(), params.nameLengths(), params.values(), params.valueLengths(), params.count());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    void destroyQueryResult(MemorySegment result) {
        try {
            destroyQueryResult.invokeExact(result);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    MemorySegment resultBuffer(MemorySegment result) {
        try {
            return (MemorySegment) resultBuffer.invokeExact(result);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    long resultLength(MemorySegment result) {
        try {
            return (long) resultLength.invokeExact(result);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** The error text of a result, or null when it succeeded. */
    String resultError(MemorySegment result) {
        try {
            return cString((MemorySegment) resultError.invokeExact(result));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    double resultElapsed(MemorySegment result) {
        try {
            return (double) resultElapsed.invokeExact(result);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    long resultRowsRead(MemorySegment result) {
        return longOf(resultRowsRead, result);
    }

    long resultBytesRead(MemorySegment result) {
        return longOf(resultBytesRead, result);
    }

    long resultStorageRowsRead(MemorySegment result) {
        return longOf(resultStorageRowsRead, result);
    }

    long resultStorageBytesRead(MemorySegment result) {
        return longOf(resultStorageBytesRead, result);
    }

    long resultRowsWritten(MemorySegment result) {
        return longOf(resultRowsWritten, result);
    }

    long resultBytesWritten(MemorySegment result) {
        return longOf(resultBytesWritten, result);
    }

    MemorySegment streamInsertN(MemorySegment conn, MemorySegment head, long headLength, MemorySegment format, long formatLength) {
        try {
            return (MemorySegment) streamInsertN.invokeExact(conn, head, headLength, format, formatLength);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    MemorySegment streamInsertWithParamsN(MemorySegment conn, MemorySegment head, long headLength,
                                          MemorySegment format, long formatLength, NativeParameters params) {
        try {
            return (MemorySegment) streamInsertWithParamsN.invokeExact(conn, head, headLength, format, formatLength,
                    params.names(), params.nameLengths(), params.values(), params.valueLengths(), params.count());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    boolean streamAppend(MemorySegment stream, MemorySegment data, long length) {
        try {
            return (int) streamAppend.invokeExact(stream, data, length) == SUCCESS;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    MemorySegment streamDone(MemorySegment stream) {
        try {
            return (MemorySegment) streamDone.invokeExact(stream);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    String streamInsertError(MemorySegment stream) {
        try {
            return cString((MemorySegment) streamInsertError.invokeExact(stream));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    void destroyInsertStream(MemorySegment stream) {
        try {
            destroyInsertStream.invokeExact(stream);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private static long longOf(MethodHandle getter, MemorySegment result) {
        try {
            return (long) getter.invokeExact(result);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** Reads a NUL-terminated string the engine owns; null for a NULL pointer. */
    private static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Downcalls declare Throwable but only fail on a broken binding, which no caller can handle. */
    private static IllegalStateException failed(Throwable t) {
        return new IllegalStateException("libchdb call failed: " + t, t);
    }
}

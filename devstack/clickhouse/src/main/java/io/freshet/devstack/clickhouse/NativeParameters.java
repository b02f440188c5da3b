package io.freshet.devstack.clickhouse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Query parameters ({@code {name:Type}} placeholders) laid out as the four parallel arrays that
 * chdb_query_with_params_n and chdb_stream_insert_with_params_n take. Values travel with explicit
 * lengths, so they may hold any bytes; the engine binds them itself, nothing is spliced into SQL.
 */
record NativeParameters(MemorySegment names, MemorySegment nameLengths,
                        MemorySegment values, MemorySegment valueLengths, long count) {

    static NativeParameters of(Map<String, String> parameters, Arena arena) {
        int count = parameters.size();
        MemorySegment names = arena.allocate(ADDRESS, count);
        MemorySegment nameLengths = arena.allocate(JAVA_LONG, count);
        MemorySegment values = arena.allocate(ADDRESS, count);
        MemorySegment valueLengths = arena.allocate(JAVA_LONG, count);
        int i = 0;
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            put(arena, parameter.getKey(), names, nameLengths, i);
            put(arena, parameter.getValue(), values, valueLengths, i);
            i++;
        }
        return new NativeParameters(names, nameLengths, values, valueLengths, count);
    }

    private static void put(Arena arena, String text, MemorySegment pointers, MemorySegment lengths, int index) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment copy = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, copy, JAVA_BYTE, 0, bytes.length);
        pointers.setAtIndex(ADDRESS, index, copy);
        lengths.setAtIndex(JAVA_LONG, index, bytes.length);
    }
}

package io.freshet.devstack.clickhouse;

/**
 * The progress counters of one statement, as ClickHouse reports them in the {@code X-ClickHouse-Summary}
 * header (every value a JSON string, which is what the official clients parse).
 */
record QuerySummary(long readRows, long readBytes, long writtenRows, long writtenBytes,
                    long resultRows, long resultBytes, long elapsedNanos) {

    static final QuerySummary EMPTY = new QuerySummary(0, 0, 0, 0, 0, 0, 0);

    String toJson() {
        return "{\"read_rows\":\"" + readRows
                + "\",\"read_bytes\":\"" + readBytes
                + "\",\"written_rows\":\"" + writtenRows
                + "\",\"written_bytes\":\"" + writtenBytes
                + "\",\"total_rows_to_read\":\"" + readRows
                + "\",\"result_rows\":\"" + resultRows
                + "\",\"result_bytes\":\"" + resultBytes
                + "\",\"elapsed_ns\":\"" + elapsedNanos
                + "\"}";
    }
}

package io.freshet.bench;

/**
 * ClickHouse's own pace for the rows the pipeline stores: distinct rows of the run (new event ids, since the copy
 * inherits the table's insert deduplication, so a body sent twice would be stored once) inserted directly in RowBinary
 * into a copy of freshet.events, only the inserts timed, the copy's count checked afterwards.
 */
final class RowBinaryYardstick {

    static final int INSERTS = 40;
    static final int ROWS = 5_000;
    private static final String COPY = "freshet_bench.events";

    /** Rows counted in the copy afterwards, and the seconds spent inside the inserts. */
    record Result(long rows, double seconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private final Warehouse warehouse;

    RowBinaryYardstick(Warehouse warehouse) {
        this.warehouse = warehouse;
    }

    Result run(String rowsOfTheRun) {
        warehouse.execute("CREATE DATABASE IF NOT EXISTS freshet_bench");
        warehouse.execute("DROP TABLE IF EXISTS " + COPY);
        warehouse.execute("CREATE TABLE " + COPY + " AS freshet.events");
        try {
            long perInsert = warehouse.count("SELECT count() FROM (SELECT 1 FROM freshet.events WHERE " + rowsOfTheRun
                    + " LIMIT " + ROWS + ")");
            long sent = INSERTS * perInsert;
            long nanos = 0;
            for (int i = 0; i < INSERTS; i++) {
                byte[] body = warehouse.rowBinary("SELECT * REPLACE (generateUUIDv4() AS event_id) FROM freshet.events WHERE "
                        + rowsOfTheRun + " LIMIT " + ROWS);
                nanos += warehouse.insertRowBinary(COPY, body);
            }
            long inserted = warehouse.count("SELECT count() FROM " + COPY);
            if (inserted != sent) {
                throw new BenchException("the yardstick inserted " + sent + " distinct rows and the copy holds " + inserted);
            }
            return new Result(inserted, nanos / 1e9);
        } finally {
            warehouse.execute("DROP TABLE IF EXISTS " + COPY);
        }
    }
}

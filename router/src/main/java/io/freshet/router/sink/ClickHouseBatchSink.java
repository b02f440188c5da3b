package io.freshet.router.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.serde.DataSerializationException;
import com.clickhouse.client.api.insert.InsertSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Inserts batches of rows into the router's tables in RowBinary, each with a deduplication token. */
@ApplicationScoped
public class ClickHouseBatchSink {

    private static final Duration INSERT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * ClickHouse's error codes for values it cannot store: cannot parse or convert them, out of range, too large,
     * a NULL where none may be, a CHECK constraint violated. Any other failure is retried, never dead-lettered.
     */
    private static final Set<Integer> ROW_ERROR_CODES = Set.of(6, 27, 38, 41, 53, 69, 70, 72, 117, 131, 321, 349, 469);

    private final Client clickHouse;
    private final Map<SinkTable, Meters> meters = new EnumMap<>(SinkTable.class);

    private record Meters(Timer flushLatency, DistributionSummary batchRows, Counter rowsWritten) {
        Meters(MeterRegistry registry, SinkTable table) {
            this(Timer.builder("freshet.sink.flush").description("ClickHouse batch insert latency")
                            .tag("table", table.table()).publishPercentileHistogram().register(registry),
                    DistributionSummary.builder("freshet.sink.batch.rows").description("Rows per ClickHouse batch")
                            .tag("table", table.table()).publishPercentileHistogram().register(registry),
                    registry.counter("freshet.sink.rows", "table", table.table()));
        }
    }

    /**
     * Built when the first batch arrives (the bean is created on first use), after the migrations ran at
     * start, so the tables' schemas can be read for the row mapping.
     */
    public ClickHouseBatchSink(Client clickHouse, MeterRegistry registry) {
        this.clickHouse = clickHouse;
        for (SinkTable table : SinkTable.values()) {
            clickHouse.register(table.rowClass(), clickHouse.getTableSchema(table.table(), SinkTable.DATABASE));
            meters.put(table, new Meters(registry, table));
        }
    }

    /**
     * Inserts the records' rows and returns those ClickHouse refused. A refused insert is split in halves, each
     * with a token derived from the batch's, until the refused rows stand alone: the rest of the batch lands, and
     * a retry after a crash splits alike, so whatever had landed is dropped as a duplicate.
     *
     * @throws Exception ClickHouse could not be asked or failed for another reason than the rows: retry the batch
     */
    public List<RejectedRow> insert(SinkTable table, List<ConsumerRecord<String, SpecificRecord>> records,
                                    String deduplicationToken) throws Exception {
        return insert(table, records, records.stream().map(table::row).toList(), deduplicationToken);
    }

    /** The records and their rows, split alike. */
    private List<RejectedRow> insert(SinkTable table, List<ConsumerRecord<String, SpecificRecord>> records, List<Object> rows,
                                     String deduplicationToken) throws Exception {
        try {
            insertRows(table, rows, deduplicationToken);
            return List.of();
        } catch (Exception e) {
            Optional<String> refusal = rowRefusal(e);
            if (refusal.isEmpty()) {
                throw e;
            }
            if (records.size() == 1) {
                return List.of(new RejectedRow(records.getFirst(), refusal.get()));
            }
            int half = records.size() / 2;
            List<RejectedRow> rejected = new ArrayList<>(
                    insert(table, records.subList(0, half), rows.subList(0, half), deduplicationToken + ".0"));
            rejected.addAll(insert(table, records.subList(half, records.size()), rows.subList(half, rows.size()),
                    deduplicationToken + ".1"));
            return rejected;
        }
    }

    /** ClickHouse drops the whole insert if it already took one with the same token: a retry never doubles it. */
    private void insertRows(SinkTable table, List<Object> rows, String deduplicationToken) throws Exception {
        Timer.Sample sample = Timer.start();
        clickHouse.insert(table.table(), rows, insertSettings(deduplicationToken))
                .get(INSERT_TIMEOUT.toSeconds(), TimeUnit.SECONDS).close();
        Meters m = meters.get(table);
        sample.stop(m.flushLatency());
        m.batchRows().record(rows.size());
        m.rowsWritten().increment(rows.size());
    }

    /**
     * Every insert's settings. The token must be checked table by table, the materialized views' targets included
     * (deduplicate_blocks_in_dependent_materialized_views; a server default only since 2025). Without it a retry
     * doubles the per-minute rollup (ClickHouse 24.7 and later push a deduplicated block on to the views, which then
     * insert it unchecked), or leaves it short for ever (before 24.7 a deduplicated block skipped the views, the
     * rollup part a crash had lost included).
     */
    public static InsertSettings insertSettings(String deduplicationToken) {
        return new InsertSettings().setDatabase(SinkTable.DATABASE).setDeduplicationToken(deduplicationToken)
                .serverSetting("deduplicate_blocks_in_dependent_materialized_views", "1");
    }

    /** ClickHouse's reason when it refused the rows themselves (their values), not when it failed to take them. */
    private static Optional<String> rowRefusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServerException server && ROW_ERROR_CODES.contains(server.getCode())
                    || cause instanceof DataSerializationException) {
                return Optional.of(cause.getMessage());
            }
        }
        return Optional.empty();
    }
}

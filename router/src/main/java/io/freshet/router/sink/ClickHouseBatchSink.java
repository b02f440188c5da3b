package io.freshet.router.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Inserts batches of rows into the router's tables in RowBinary, each with a deduplication token. */
@ApplicationScoped
public class ClickHouseBatchSink {

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
     * Inserts the rows; ClickHouse drops the whole insert if it already took one with the same token, so
     * retrying an identical batch never doubles it.
     */
    public CompletionStage<InsertResponse> insert(SinkTable table, List<Object> rows, String deduplicationToken) {
        Timer.Sample sample = Timer.start();
        return clickHouse.insert(table.table(), rows, new InsertSettings()
                        .setDatabase(SinkTable.DATABASE).setDeduplicationToken(deduplicationToken))
                .whenComplete((response, failure) -> {
                    if (failure == null) {
                        Meters m = meters.get(table);
                        sample.stop(m.flushLatency());
                        m.batchRows().record(rows.size());
                        m.rowsWritten().increment(rows.size());
                    }
                });
    }
}

package io.freshet.router.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Inserts batches of rows into {@code freshet.events} in RowBinary, each with a deduplication token. */
@ApplicationScoped
public class ClickHouseBatchSink {

    static final String DATABASE = "freshet";
    static final String TABLE = "events";

    private final Client clickHouse;
    private final Timer flushLatency;
    private final DistributionSummary batchRows;
    private final Counter rowsWritten;

    /**
     * Built when the first batch arrives (the bean is created on first use), after the migrations ran at
     * start, so the table's schema can be read for the row mapping.
     */
    public ClickHouseBatchSink(Client clickHouse, MeterRegistry meters) {
        this.clickHouse = clickHouse;
        clickHouse.register(EventRow.class, clickHouse.getTableSchema(TABLE, DATABASE));
        this.flushLatency = Timer.builder("freshet.sink.flush").description("ClickHouse batch insert latency")
                .publishPercentileHistogram().register(meters);
        this.batchRows = DistributionSummary.builder("freshet.sink.batch.rows").description("Rows per ClickHouse batch")
                .publishPercentileHistogram().register(meters);
        this.rowsWritten = meters.counter("freshet.sink.rows");
    }

    /**
     * Inserts the rows; ClickHouse drops the whole insert if it already took one with the same token, so
     * retrying an identical batch never doubles it.
     */
    public CompletionStage<InsertResponse> insert(List<EventRow> rows, String deduplicationToken) {
        Timer.Sample sample = Timer.start();
        return clickHouse.insert(TABLE, rows, new InsertSettings()
                        .setDatabase(DATABASE).setDeduplicationToken(deduplicationToken))
                .whenComplete((response, failure) -> {
                    if (failure == null) {
                        sample.stop(flushLatency);
                        batchRows.record(rows.size());
                        rowsWritten.increment(rows.size());
                    }
                });
    }
}

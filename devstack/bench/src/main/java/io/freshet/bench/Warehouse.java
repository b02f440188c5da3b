package io.freshet.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;

import java.io.ByteArrayInputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The stack's ClickHouse as a user queries it, through the official client: what is queryable, and the yardstick's inserts. */
final class Warehouse implements AutoCloseable {

    private final Client client;

    Warehouse(BenchSettings settings) {
        this.client = new Client.Builder().addEndpoint(settings.clickHouseUrl()).setUsername(settings.clickHouseUser())
                .setPassword(settings.clickHousePassword()).compressServerResponse(false).compressClientRequest(false).build();
    }

    List<GenericRecord> query(String sql) {
        try {
            return client.queryAll(sql);
        } catch (RuntimeException e) {
            throw new BenchException("ClickHouse failed the query " + sql.lines().findFirst().orElse(""), e);
        }
    }

    long count(String sql) {
        return query(sql).getFirst().getLong(1);
    }

    void execute(String sql) {
        try {
            client.execute(sql).get(60, TimeUnit.SECONDS).close();
        } catch (Exception e) {
            throw new BenchException("ClickHouse failed " + sql, e);
        }
    }

    byte[] rowBinary(String sql) {
        try (var response = client.query(sql, new QuerySettings().setFormat(ClickHouseFormat.RowBinary)).get(60, TimeUnit.SECONDS)) {
            return response.getInputStream().readAllBytes();
        } catch (Exception e) {
            throw new BenchException("ClickHouse failed " + sql.lines().findFirst().orElse(""), e);
        }
    }

    /** Inserts a RowBinary body; returns the nanoseconds the insert took. */
    long insertRowBinary(String table, byte[] body) {
        long start = System.nanoTime();
        try {
            client.insert(table, new ByteArrayInputStream(body), ClickHouseFormat.RowBinary).get(60, TimeUnit.SECONDS).close();
        } catch (Exception e) {
            throw new BenchException("ClickHouse refused an insert into " + table, e);
        }
        return System.nanoTime() - start;
    }

    /** The rows of these tenants in freshet.events. */
    long rowsOf(Collection<String> tenants) {
        return count("SELECT count() FROM freshet.events WHERE tenant_id IN (" + quoted(tenants) + ")");
    }

    /**
     * The highest block number of freshet.events: MergeTree numbers every part an insert writes (one per month it
     * touches), so its growth over a load is the inserts ClickHouse itself took; a deduplicated retry takes none.
     */
    long eventsBlockNumber() {
        return count("SELECT max(max_block_number) FROM system.parts WHERE database = 'freshet' AND table = 'events'");
    }

    static String quoted(Collection<String> values) {
        return values.stream().map(v -> "'" + v + "'").collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        client.close();
    }
}

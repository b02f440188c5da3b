package io.freshet.analytics.stats;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Event counts per bucket and type for one tenant, from the per-minute rollup. Every value is a bound
 * parameter; only the truncation function comes from the fixed {@link Interval} set.
 */
@ApplicationScoped
public class EventCountsQuery {

    private final Client clickHouse;

    public EventCountsQuery(Client clickHouse) {
        this.clickHouse = clickHouse;
    }

    public List<CountBucket> run(String tenantId, Instant from, Instant to, Interval interval, String type) {
        String sql = """
                SELECT %s(minute) AS start, type, sum(events) AS count, uniqMerge(users) AS users
                FROM freshet.events_per_minute
                WHERE tenant_id = {tenant:String} AND minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
                  %s
                GROUP BY start, type
                ORDER BY start, type""".formatted(interval.truncateFunction, type == null ? "" : "AND type = {type:String}");
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenantId);
        params.put("from", from.getEpochSecond());
        params.put("to", to.getEpochSecond());
        if (type != null) {
            params.put("type", type);
        }
        return clickHouse.queryAll(sql, params).stream().map(EventCountsQuery::toBucket).toList();
    }

    private static CountBucket toBucket(GenericRecord row) {
        return new CountBucket(row.getInstant("start"),
                row.getString("type"), row.getLong("count"), row.getLong("users"));
    }
}

package io.freshet.analytics.stats;

import com.clickhouse.client.api.query.GenericRecord;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queries over freshet.events and its per-minute rollup. Every value is a bound parameter; the SQL text only
 * takes expressions from fixed sets ({@link Dimension}, {@link Interval}). Each is scoped to one tenant.
 */
@ApplicationScoped
public class AnalyticsQueries {

    public record UserBucket(Instant start, long users) {
    }

    public record TopValue(String value, long count, long users) {
    }

    /** Users who did the first {@code step + 1} steps in order within the window. */
    public record FunnelStep(String type, long users) {
    }

    private final AnalyticsStore store;

    public AnalyticsQueries(AnalyticsStore store) {
        this.store = store;
    }

    /** Events per bucket and type, with their distinct users (from the rollup); of one type if {@code type} is set. */
    public List<CountBucket> counts(String tenant, TimeRange range, Interval interval, String type) {
        String sql = """
                SELECT %s(minute) AS start, type, sum(events) AS count, uniqMerge(users) AS users
                FROM freshet.events_per_minute
                WHERE tenant_id = {tenant:String} AND minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
                  %s
                GROUP BY start, type
                ORDER BY start, type""".formatted(interval.truncateFunction, typeFilter(type));
        return store.query(tenant, "counts", sql, params(tenant, range, type)).stream()
                .map(r -> new CountBucket(r.getInstant("start"), r.getString("type"), r.getLong("count"), r.getLong("users")))
                .toList();
    }

    /** Distinct users per bucket, over all types (from the rollup's uniq states). */
    public List<UserBucket> users(String tenant, TimeRange range, Interval interval) {
        String sql = """
                SELECT %s(minute) AS start, uniqMerge(users) AS users FROM freshet.events_per_minute
                WHERE tenant_id = {tenant:String} AND minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
                GROUP BY start ORDER BY start""".formatted(interval.truncateFunction);
        return store.query(tenant, "users", sql, params(tenant, range, null)).stream()
                .map(r -> new UserBucket(r.getInstant("start"), r.getLong("users"))).toList();
    }

    public List<TopValue> top(String tenant, TimeRange range, Dimension dimension, String type, int limit) {
        Map<String, Object> params = params(tenant, range, type);
        params.put("limit", limit);
        if (dimension.property() != null) {
            params.put("property", dimension.property());
        }
        String sql = """
                SELECT %s AS value, count() AS count, uniqIf(user_id, user_id != '') AS users FROM freshet.events
                WHERE tenant_id = {tenant:String} AND event_time >= {from:DateTime('UTC')} AND event_time < {to:DateTime('UTC')} %s
                GROUP BY value ORDER BY count DESC, value LIMIT {limit:UInt32}"""
                .formatted(dimension.expression(), typeFilter(type));
        return store.query(tenant, "top", sql, params).stream()
                .map(r -> new TopValue(r.getString("value"), r.getLong("count"), r.getLong("users"))).toList();
    }

    /** ClickHouse's windowFunnel per user: how far each got through the ordered steps within the window. */
    public List<FunnelStep> funnel(String tenant, TimeRange range, List<String> steps, long windowSeconds) {
        Map<String, Object> params = params(tenant, range, null);
        params.put("window", windowSeconds);
        List<String> placeholders = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            params.put("s" + i, steps.get(i));
            placeholders.add("{s" + i + ":String}");
        }
        String sql = """
                SELECT level, count() AS users FROM (
                  SELECT windowFunnel({window:UInt64})(toDateTime(event_time), %s) AS level FROM freshet.events
                  WHERE tenant_id = {tenant:String} AND event_time >= {from:DateTime('UTC')} AND event_time < {to:DateTime('UTC')}
                    AND user_id != '' AND type IN (%s)
                  GROUP BY user_id)
                GROUP BY level""".formatted(
                String.join(", ", placeholders.stream().map(p -> "type = " + p).toList()), String.join(", ", placeholders));
        long[] reached = new long[steps.size() + 1];
        for (GenericRecord row : store.query(tenant, "funnel", sql, params)) {
            reached[row.getInteger("level")] = row.getLong("users");
        }
        List<FunnelStep> funnel = new ArrayList<>();
        long atLeast = 0;
        for (int level = steps.size(); level >= 1; level--) {
            atLeast += reached[level];
            funnel.addFirst(new FunnelStep(steps.get(level - 1), atLeast));
        }
        return funnel;
    }

    /** The parameters every query binds: the tenant, the range, and the type when {@link #typeFilter} asks for it. */
    static Map<String, Object> params(String tenant, TimeRange range, String type) {
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        params.put("from", range.from().getEpochSecond());
        params.put("to", range.to().getEpochSecond());
        if (type != null) {
            params.put("type", type);
        }
        return params;
    }

    /** The condition on the type, if one is asked for (bound as {@code type} by {@link #params}). */
    static String typeFilter(String type) {
        return type == null ? "" : "AND type = {type:String}";
    }
}

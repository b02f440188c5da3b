package io.freshet.analytics.stats;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ClickHouseException;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.client.api.query.QuerySettings;
import io.freshet.analytics.config.AnalyticsConfig;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the tenants' analytics queries in the ClickHouse every tenant shares: each read-only and within the limits
 * of {@link AnalyticsConfig.Queries}, sent as the query's own settings (a real server and the local endpoint take
 * them as URL parameters). A query over a limit is the caller's 400 ({@link QueryLimit}), counted per tenant; any
 * other failure is the store's trouble: 503, to be retried.
 */
@ApplicationScoped
public class AnalyticsStore {

    private static final Logger LOG = Logger.getLogger(AnalyticsStore.class);

    private final Client clickHouse;
    private final MeterRegistry meters;
    private final Map<String, String> settings;

    public AnalyticsStore(Client clickHouse, MeterRegistry meters, AnalyticsConfig config) {
        this.clickHouse = clickHouse;
        this.meters = meters;
        this.settings = serverSettings(config.queries());
    }

    /**
     * The rows of one of the tenant's queries.
     *
     * @param query the question's name, for the metrics (counts, top, ...)
     */
    public List<GenericRecord> query(String tenant, String query, String sql, Map<String, Object> parameters) {
        QuerySettings limited = new QuerySettings();
        settings.forEach(limited::serverSetting);
        try {
            return clickHouse.queryAll(sql, parameters, limited);
        } catch (ClickHouseException e) {
            QueryLimit limit = QueryLimit.exceededBy(e).orElse(null);
            if (limit != null) {
                meters.counter("freshet.analytics.queries.over.limit", "limit", limit.label(), "query", query,
                        "tenant", tenant).increment();
                LOG.debugf("Refused a %s question of tenant %s over its %s limit: %s", query, tenant, limit.label(), e.getMessage());
                throw limit.refusal();
            }
            LOG.warnf("Answering 503: ClickHouse did not answer a query (%s)", e.getMessage());
            throw new AnalyticsException(Status.SERVICE_UNAVAILABLE, "analytics_unavailable",
                    "The analytics store cannot answer right now; retry after the Retry-After delay");
        }
    }

    /**
     * ClickHouse settings in the order they are applied. readonly=2 reads only and still lets the query set the others
     * (readonly=1 would refuse them); each overflow mode is set to throw, so a server profile saying "break" cannot turn
     * a refusal into a silently cut answer.
     */
    static Map<String, String> serverSettings(AnalyticsConfig.Queries limits) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_execution_time", String.valueOf(limits.maxExecutionTime().toSeconds()));
        settings.put("timeout_overflow_mode", "throw");
        settings.put("max_memory_usage", String.valueOf(limits.maxMemoryUsage().asLongValue()));
        settings.put("max_rows_to_read", String.valueOf(limits.maxRowsToRead()));
        settings.put("read_overflow_mode", "throw");
        settings.put("max_result_rows", String.valueOf(limits.maxResultRows()));
        settings.put("max_result_bytes", String.valueOf(limits.maxResultBytes().asLongValue()));
        settings.put("result_overflow_mode", "throw");
        settings.put("readonly", "2");
        return settings;
    }
}

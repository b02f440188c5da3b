package io.freshet.analytics.stats;

import io.freshet.analytics.config.AnalyticsConfig;
import io.freshet.analytics.cache.QueryCache;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.eventmodel.event.EventTypes;
import io.freshet.eventmodel.tenant.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tenant's analytics, as REST and GraphQL both serve them: each question's input checked and bounded (a clear
 * 400 otherwise), answered from the cache or ClickHouse, for the calling tenant only.
 */
@ApplicationScoped
public class Analytics {

    /** The longest range of a query over the raw events (the rollup's counts are bounded by their buckets). */
    private static final Duration MAX_RAW_RANGE = Duration.ofDays(31);
    private static final Duration MAX_ROLLUP_RANGE = Duration.ofDays(3660);
    private static final Duration MAX_FUNNEL_WINDOW = Duration.ofDays(7);

    // Optional parameters' defaults, for the REST and GraphQL annotations alike (constants: the schemas show them)
    public static final String DEFAULT_TOP_LIMIT = "10";
    public static final String DEFAULT_EVENTS_LIMIT = "50";
    public static final String DEFAULT_FUNNEL_WINDOW = "PT1H";
    public static final String DEFAULT_INTERVAL = "minute";

    public record Counts(List<CountBucket> buckets) {
    }

    public record Users(List<AnalyticsQueries.UserBucket> buckets) {
    }

    public record Top(String dimension, List<AnalyticsQueries.TopValue> values) {
    }

    public record Funnel(List<AnalyticsQueries.FunnelStep> steps) {
    }

    private final AnalyticsQueries queries;
    private final QueryCache cache;
    private final long maxBuckets;

    private final RecentEvents events;

    public Analytics(AnalyticsQueries queries, RecentEvents events, QueryCache cache, AnalyticsConfig config) {
        this.events = events;
        this.queries = queries;
        this.cache = cache;
        this.maxBuckets = config.maxBuckets();
    }

    /** Events per bucket and type, with their distinct users (from the per-minute rollup). */
    public Counts counts(Tenant tenant, String from, String to, String interval, String type) {
        TimeRange range = TimeRange.of(from, to, MAX_ROLLUP_RANGE);
        Interval width = buckets(range, interval);
        type(type);
        return cache.get(tenant.id(), "counts", Map.of("from", range.from(), "to", range.to(), "interval", width,
                "type", type == null ? "" : type), range.to(), Counts.class,
                () -> new Counts(queries.counts(tenant.id(), range, width, type)));
    }

    /** Distinct users per bucket, over all event types. */
    public Users users(Tenant tenant, String from, String to, String interval) {
        TimeRange range = TimeRange.of(from, to, MAX_ROLLUP_RANGE);
        Interval width = buckets(range, interval);
        return cache.get(tenant.id(), "users", Map.of("from", range.from(), "to", range.to(), "interval", width),
                range.to(), Users.class, () -> new Users(queries.users(tenant.id(), range, width)));
    }

    /** The most frequent values of a dimension, with their events and distinct users. */
    public Top top(Tenant tenant, String dimension, String from, String to, String type, String limitParam) {
        TimeRange range = TimeRange.of(from, to, MAX_RAW_RANGE);
        Dimension by = Dimension.of(dimension);
        type(type);
        int limit = limit(limitParam, 100);
        return cache.get(tenant.id(), "top", Map.of("from", range.from(), "to", range.to(), "dimension", by.name(),
                "type", type == null ? "" : type, "limit", limit), range.to(), Top.class,
                () -> new Top(by.name(), queries.top(tenant.id(), range, by, type, limit)));
    }

    /** How many users did the steps (event types) in order, each within {@code window} of the first. */
    public Funnel funnel(Tenant tenant, List<String> steps, String window, String from, String to) {
        TimeRange range = TimeRange.of(from, to, MAX_RAW_RANGE);
        if (steps.size() < 2 || steps.size() > 10) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_steps", "'steps' is 2 to 10 event types, comma-separated");
        }
        steps.forEach(Analytics::type);
        Duration within = funnelWindow(window);
        return cache.get(tenant.id(), "funnel", Map.of("from", range.from(), "to", range.to(),
                "steps", String.join(",", steps), "window", within), range.to(), Funnel.class,
                () -> new Funnel(queries.funnel(tenant.id(), range, steps, within.toSeconds())));
    }

    /** A page of the tenant's stored events, newest first. */
    public RecentEvents.Page events(Tenant tenant, String from, String to, String type, String limitParam, String cursor) {
        TimeRange range = TimeRange.of(from, to, MAX_RAW_RANGE);
        type(type);
        int limit = limit(limitParam, 1000);
        RecentEvents.Cursor after = cursor == null ? null : RecentEvents.Cursor.decode(cursor); // 400 if not ours
        return cache.get(tenant.id(), "events", Map.of("from", range.from(), "to", range.to(), "type", type == null ? "" : type,
                        "limit", limit, "cursor", cursor == null ? "" : cursor), range.to(), RecentEvents.Page.class,
                () -> events.page(tenant.id(), range, type, limit, after));
    }

    private Interval buckets(TimeRange range, String interval) {
        Interval width = interval(interval);
        if (range.length().dividedBy(width.width) > maxBuckets) {
            throw new AnalyticsException(Status.BAD_REQUEST, "range_too_large", "The range spans more than " + maxBuckets
                    + " " + width.name().toLowerCase(Locale.ROOT) + " buckets; use a wider interval or a shorter range");
        }
        return width;
    }

    private static void type(String type) {
        if (type != null && !EventTypes.isValid(type)) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_type", "'" + type + "' is not a valid event type name");
        }
    }

    /** JAX-RS would answer 404 for a number it cannot parse; this answers 400. */
    private static int limit(String limit, int max) {
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new AnalyticsException(Status.BAD_REQUEST, "invalid_limit", "'limit' is a number between 1 and " + max);
    }

    private static Duration funnelWindow(String window) {
        try {
            Duration within = Duration.parse(window);
            if (within.isNegative() || within.isZero() || within.compareTo(MAX_FUNNEL_WINDOW) > 0) {
                throw new AnalyticsException(Status.BAD_REQUEST, "invalid_window", "'window' is between 1 s and 7 days");
            }
            return within;
        } catch (DateTimeParseException e) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_window", "'window' is an ISO-8601 duration, e.g. PT30M");
        }
    }

    private static Interval interval(String value) {
        try {
            return Interval.valueOf((value == null ? DEFAULT_INTERVAL : value).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_interval", "'interval' must be minute, hour or day");
        }
    }
}

package io.freshet.analytics.stats;

import io.freshet.analytics.cache.QueryCache;
import io.freshet.analytics.endpoint.ApiException;
import io.freshet.analytics.endpoint.TenantAuthenticator;
import io.freshet.eventmodel.tenant.Tenant;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code GET /v1/stats/...}: a tenant's own analytics (see the analytics contract in ARCHITECTURE.md). */
@Path("/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StatsResource {

    static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,127}");
    /** The longest range of a query over the raw events (the rollup's counts are bounded by their buckets). */
    static final Duration MAX_RAW_RANGE = Duration.ofDays(31);
    private static final Duration MAX_ROLLUP_RANGE = Duration.ofDays(3660);
    private static final Duration MAX_FUNNEL_WINDOW = Duration.ofDays(7);

    public record Counts(List<CountBucket> buckets) {
    }

    public record Users(List<AnalyticsQueries.UserBucket> buckets) {
    }

    public record Top(String dimension, List<AnalyticsQueries.TopValue> values) {
    }

    public record Funnel(List<AnalyticsQueries.FunnelStep> steps) {
    }

    private final TenantAuthenticator auth;
    private final EventCountsQuery counts;
    private final AnalyticsQueries queries;
    private final QueryCache cache;
    private final long maxBuckets;

    public StatsResource(TenantAuthenticator auth, EventCountsQuery counts, AnalyticsQueries queries, QueryCache cache,
                         @ConfigProperty(name = "freshet.stats.max-buckets") long maxBuckets) {
        this.auth = auth;
        this.counts = counts;
        this.queries = queries;
        this.cache = cache;
        this.maxBuckets = maxBuckets;
    }

    /** Events per bucket and type, with their distinct users (from the per-minute rollup). */
    @GET
    @Path("/counts")
    public Counts counts(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @QueryParam("from") String from, @QueryParam("to") String to,
                         @QueryParam("interval") String interval, @QueryParam("type") String type) {
        Tenant tenant = auth.require(authorization);
        TimeRange range = TimeRange.of(from, to, MAX_ROLLUP_RANGE);
        Interval width = buckets(range, interval);
        type(type);
        return cache.get(tenant.id(), "counts", Map.of("from", range.from(), "to", range.to(), "interval", width,
                "type", type == null ? "" : type), range.to(), Counts.class,
                () -> new Counts(counts.run(tenant.id(), range.from(), range.to(), width, type)));
    }

    /** Distinct users per bucket, over all event types. */
    @GET
    @Path("/users")
    public Users users(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                       @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("interval") String interval) {
        Tenant tenant = auth.require(authorization);
        TimeRange range = TimeRange.of(from, to, MAX_ROLLUP_RANGE);
        Interval width = buckets(range, interval);
        return cache.get(tenant.id(), "users", Map.of("from", range.from(), "to", range.to(), "interval", width),
                range.to(), Users.class, () -> new Users(queries.users(tenant.id(), range, width)));
    }

    /** The most frequent values of a dimension, with their events and distinct users. */
    @GET
    @Path("/top")
    public Top top(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                   @QueryParam("dimension") String dimension, @QueryParam("from") String from, @QueryParam("to") String to,
                   @QueryParam("type") String type, @QueryParam("limit") @DefaultValue("10") String limitParam) {
        Tenant tenant = auth.require(authorization);
        TimeRange range = TimeRange.of(from, to, MAX_RAW_RANGE);
        Dimension by = Dimension.of(dimension);
        type(type);
        int limit = limit(limitParam, 100);
        return cache.get(tenant.id(), "top", Map.of("from", range.from(), "to", range.to(), "dimension", by.name(),
                "type", type == null ? "" : type, "limit", limit), range.to(), Top.class,
                () -> new Top(by.name(), queries.top(tenant.id(), range, by, type, limit)));
    }

    /** How many users did the steps (event types) in order, each within {@code window} of the first. */
    @GET
    @Path("/funnel")
    public Funnel funnel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @QueryParam("steps") String steps, @QueryParam("window") @DefaultValue("PT1H") String window,
                         @QueryParam("from") String from, @QueryParam("to") String to) {
        Tenant tenant = auth.require(authorization);
        TimeRange range = TimeRange.of(from, to, MAX_RAW_RANGE);
        List<String> types = steps == null ? List.of() : List.of(steps.split(",", -1));
        if (types.size() < 2 || types.size() > 10) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_steps", "'steps' is 2 to 10 event types, comma-separated");
        }
        types.forEach(StatsResource::type);
        Duration within = funnelWindow(window);
        return cache.get(tenant.id(), "funnel", Map.of("from", range.from(), "to", range.to(), "steps", steps,
                "window", within), range.to(), Funnel.class,
                () -> new Funnel(queries.funnel(tenant.id(), range, types, within.toSeconds())));
    }

    private Interval buckets(TimeRange range, String interval) {
        Interval width = interval(interval);
        if (range.length().dividedBy(width.width) > maxBuckets) {
            throw new ApiException(Status.BAD_REQUEST, "range_too_large", "The range spans more than " + maxBuckets
                    + " " + width.name().toLowerCase(Locale.ROOT) + " buckets; use a wider interval or a shorter range");
        }
        return width;
    }

    static void type(String type) {
        if (type != null && !TYPE.matcher(type).matches()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_type", "'" + type + "' is not a valid event type name");
        }
    }

    /** JAX-RS would answer 404 for a number it cannot parse; this answers 400. */
    static int limit(String limit, int max) {
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(Status.BAD_REQUEST, "invalid_limit", "'limit' is a number between 1 and " + max);
    }

    private static Duration funnelWindow(String window) {
        try {
            Duration within = Duration.parse(window);
            if (within.isNegative() || within.isZero() || within.compareTo(MAX_FUNNEL_WINDOW) > 0) {
                throw new ApiException(Status.BAD_REQUEST, "invalid_window", "'window' is between 1 s and 7 days");
            }
            return within;
        } catch (DateTimeParseException e) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_window", "'window' is an ISO-8601 duration, e.g. PT30M");
        }
    }

    private static Interval interval(String value) {
        if (value == null) {
            return Interval.MINUTE;
        }
        try {
            return Interval.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_interval", "'interval' must be minute, hour or day");
        }
    }
}

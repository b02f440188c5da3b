package io.freshet.analytics.stats;

import io.freshet.analytics.cache.QueryCache;
import io.freshet.analytics.endpoint.ApiException;
import io.freshet.analytics.endpoint.TenantAuthenticator;
import io.freshet.eventmodel.tenant.Tenant;
import io.smallrye.common.annotation.Blocking;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code GET /v1/stats/...}: a tenant's own analytics (see the analytics contract in ARCHITECTURE.md). */
@Path("/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StatsResource {

    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,127}");
    private static final Duration DEFAULT_RANGE = Duration.ofHours(1);

    public record Counts(List<CountBucket> buckets) {
    }

    private final TenantAuthenticator auth;
    private final EventCountsQuery counts;
    private final QueryCache cache;
    private final long maxBuckets;

    public StatsResource(TenantAuthenticator auth, EventCountsQuery counts, QueryCache cache,
                         @ConfigProperty(name = "freshet.stats.max-buckets") long maxBuckets) {
        this.auth = auth;
        this.counts = counts;
        this.cache = cache;
        this.maxBuckets = maxBuckets;
    }

    @GET
    @Path("/counts")
    public Counts counts(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @QueryParam("from") String from, @QueryParam("to") String to,
                         @QueryParam("interval") String interval, @QueryParam("type") String type) {
        Tenant tenant = auth.require(authorization);
        // "until now" ends at the next whole second, so the answers of one second share a cache entry
        Instant end = to == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1) : time("to", to);
        Instant start = from == null ? end.minus(DEFAULT_RANGE) : time("from", from);
        Interval width = interval(interval);
        if (!start.isBefore(end)) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_range", "'from' must be before 'to'");
        }
        if (Duration.between(start, end).dividedBy(width.width) > maxBuckets) {
            throw new ApiException(Status.BAD_REQUEST, "range_too_large", "The range spans more than " + maxBuckets
                    + " " + width.name().toLowerCase(Locale.ROOT) + " buckets; use a wider interval or a shorter range");
        }
        if (type != null && !TYPE.matcher(type).matches()) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_type", "'type' is not a valid event type name");
        }
        return cache.get(tenant.id(), "counts", Map.of("from", start, "to", end, "interval", width, "type",
                type == null ? "" : type), end, Counts.class, () -> new Counts(counts.run(tenant.id(), start, end, width, type)));
    }

    private static Instant time(String name, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ApiException(Status.BAD_REQUEST, "invalid_" + name,
                    "'" + name + "' must be ISO-8601 with an offset, e.g. 2026-01-31T12:00:00Z");
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

package io.freshet.analytics.stats;

import io.freshet.analytics.endpoint.AnalyticsException;
import jakarta.ws.rs.core.Response.Status;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** A query's time range [from, to): by default the last hour, ending at the next whole second (so answers of one second share a cache entry). */
public record TimeRange(Instant from, Instant to) {

    private static final Duration DEFAULT = Duration.ofHours(1);
    /** What ClickHouse's DateTime can hold (and a sane question asks): 1970 up to 2106, rounded in. */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    /** @throws AnalyticsException 400 for an unreadable time, an inverted range or one longer than {@code max} */
    public static TimeRange of(String from, String to, Duration max) {
        Instant end = to == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1) : time("to", to);
        Instant start = from == null ? end.minus(DEFAULT) : time("from", from);
        if (!start.isBefore(end)) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_range", "'from' must be before 'to'");
        }
        if (Duration.between(start, end).compareTo(max) > 0) {
            throw new AnalyticsException(Status.BAD_REQUEST, "range_too_large", "The range is longer than " + max.toDays()
                    + " days; ask for a shorter one");
        }
        return new TimeRange(start, end);
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    private static Instant time(String name, String value) {
        Instant time;
        try {
            time = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new AnalyticsException(Status.BAD_REQUEST, "invalid_" + name,
                    "'" + name + "' must be ISO-8601 with an offset, e.g. 2026-01-31T12:00:00Z");
        }
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            throw new AnalyticsException(Status.BAD_REQUEST, "time_out_of_range",
                    "'" + name + "' must lie between " + EARLIEST + " and " + LATEST + ", not " + value);
        }
        return time;
    }
}

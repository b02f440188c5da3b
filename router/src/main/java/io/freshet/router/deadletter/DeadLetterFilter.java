package io.freshet.router.deadletter;

import io.freshet.eventmodel.tenant.Tenant;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Which dead letters a listing or a redrive takes: one tenant's or all (null), failed at or after {@code since} or
 * ever (null), of one reason code or all (null).
 */
@RegisterForReflection // a Response entity's part, unseen by Quarkus: native keeps its accessors
public record DeadLetterFilter(String tenant, Instant since, String reason) {

    /**
     * The filter of the operator's texts; a blank one means any.
     *
     * @throws InvalidFilterException what is wrong with one of them
     */
    public static DeadLetterFilter of(String tenant, String since, String reason) {
        tenant = blankIsNull(tenant);
        since = blankIsNull(since);
        reason = blankIsNull(reason);
        if (tenant != null && !Tenant.ID_PATTERN.matcher(tenant).matches()) {
            throw new InvalidFilterException("invalid_tenant", "'" + tenant + "' is not a tenant id");
        }
        if (reason != null && !LetterReason.isCode(reason)) {
            throw new InvalidFilterException("invalid_reason",
                    "Unknown reason '" + reason + "': one of " + LetterReason.codes());
        }
        return new DeadLetterFilter(tenant, since == null ? null : instant(since), reason);
    }

    public boolean matches(FoundLetter found) {
        return (tenant == null || tenant.equals(found.letter().tenantId()))
                && (since == null || (found.letter().failedAt() != null && !found.letter().failedAt().isBefore(since)))
                && (reason == null || reason.equals(found.reason()));
    }

    private static Instant instant(String since) {
        try {
            return OffsetDateTime.parse(since).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidFilterException("invalid_since",
                    "'since' is an ISO-8601 time with an offset, e.g. 2026-01-31T12:00:00Z, not '" + since + "'");
        }
    }

    private static String blankIsNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}

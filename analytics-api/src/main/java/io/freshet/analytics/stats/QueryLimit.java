package io.freshet.analytics.stats;

import com.clickhouse.client.api.ServerException;
import io.freshet.analytics.endpoint.AnalyticsException;
import jakarta.ws.rs.core.Response.Status;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A bound ClickHouse holds each analytics query to ({@link AnalyticsStore}), recognized by the error code of a
 * query it stopped. The question was too heavy, not the store broken: the caller gets 400 {@code query_too_large}
 * saying which bound and how to ask within it, and it is not retried.
 */
public enum QueryLimit {

    /** TIMEOUT_EXCEEDED, TOO_SLOW (max_execution_time). */
    TIME(Set.of(159, 160), "took longer than the analytics store allows"),
    /** MEMORY_LIMIT_EXCEEDED for this query (max_memory_usage); the server's own limit is its trouble, not the question's. */
    MEMORY(Set.of(241), "needs more memory than the analytics store gives one question"),
    /** TOO_MANY_ROWS, TOO_MANY_BYTES (max_rows_to_read, read while answering). */
    ROWS_READ(Set.of(158, 307), "reads more stored events than the analytics store allows for one question"),
    /** TOO_MANY_ROWS_OR_BYTES (max_result_rows, max_result_bytes). */
    RESULT(Set.of(396), "has a longer answer than the analytics store returns");

    private final Set<Integer> codes;
    private final String reason;

    QueryLimit(Set<Integer> codes, String reason) {
        this.codes = codes;
        this.reason = reason;
    }

    /** The limit that stopped this failed query, if one did (looked for along its causes: the client wraps them). */
    public static Optional<QueryLimit> exceededBy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServerException server) {
                return of(server.getCode(), server.getMessage());
            }
        }
        return Optional.empty();
    }

    static Optional<QueryLimit> of(int code, String message) {
        for (QueryLimit limit : values()) {
            if (limit.codes.contains(code)) {
                return limit == MEMORY && !isThisQuerysMemory(message) ? Optional.empty() : Optional.of(limit);
            }
        }
        return Optional.empty();
    }

    /**
     * "Query memory limit exceeded" (ClickHouse 26; earlier "Memory limit (for query) exceeded") is this question's; the
     * server's or the user's limit ("(total) memory limit", "Memory limit (for user)") any question may meet: the
     * store's trouble.
     */
    private static boolean isThisQuerysMemory(String message) {
        String text = String.valueOf(message).toLowerCase(Locale.ROOT);
        return text.contains("query memory limit exceeded") || text.contains("memory limit (for query) exceeded");
    }

    /** The name it is counted under in the metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public AnalyticsException refusal() {
        return new AnalyticsException(Status.BAD_REQUEST, "query_too_large", "This question " + reason
                + "; ask for a shorter range, a wider interval or one event type");
    }
}

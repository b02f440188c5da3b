package io.freshet.analytics.stats;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ServerException;
import io.freshet.analytics.endpoint.AnalyticsException;
import jakarta.ws.rs.core.Response.Status;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QueryLimitTest {

    @Test
    void eachLimitIsKnownByTheCodesClickHouseStopsAQueryWith() {
        assertEquals(Optional.of(QueryLimit.TIME), exceeded(159, "Timeout exceeded: elapsed 1000.000 ms, maximum: 1000 ms: While executing NumbersRange. (TIMEOUT_EXCEEDED)"));
        assertEquals(Optional.of(QueryLimit.TIME), exceeded(160, "Estimated query execution time is too long. (TOO_SLOW)"));
        // as ClickHouse 26.7 (the local endpoint) words it, and as earlier versions did
        assertEquals(Optional.of(QueryLimit.MEMORY), exceeded(241, "Query memory limit exceeded: would use 24.06 MiB "
                + "(attempt to allocate chunk of 16.00 MiB), maximum: 19.07 MiB. (MEMORY_LIMIT_EXCEEDED)"));
        assertEquals(Optional.of(QueryLimit.MEMORY), exceeded(241,
                "Memory limit (for query) exceeded: would use 1.00 GiB, maximum: 1.00 GiB. (MEMORY_LIMIT_EXCEEDED)"));
        assertEquals(Optional.of(QueryLimit.ROWS_READ), exceeded(158, "Limit for rows (controlled by 'max_rows_to_read' "
                + "setting) exceeded, max rows: 5.00 million, current rows: 10.00 million. (TOO_MANY_ROWS)"));
        assertEquals(Optional.of(QueryLimit.ROWS_READ), exceeded(307, "Limit for bytes to read exceeded. (TOO_MANY_BYTES)"));
        assertEquals(Optional.of(QueryLimit.RESULT), exceeded(396, "Limit for result exceeded, max rows: 1.00 thousand, current rows: 2.00 thousand. (TOO_MANY_ROWS_OR_BYTES)"));
    }

    @Test
    void theServersOwnMemoryLimitIsTheStoresTroubleNotTheQuestions() {
        assertEquals(Optional.empty(), exceeded(241, "(total) memory limit exceeded: would use 28.74 GiB, current RSS: "
                + "28.81 GiB, maximum: 28.80 GiB. OvercommitTracker decision: Query was selected to stop. (MEMORY_LIMIT_EXCEEDED)"));
        assertEquals(Optional.empty(), exceeded(241, "Memory limit (total) exceeded: would use 30.1 GiB. (MEMORY_LIMIT_EXCEEDED)"));
        assertEquals(Optional.empty(), exceeded(241, "Memory limit (for user) exceeded. (MEMORY_LIMIT_EXCEEDED)"));
    }

    @Test
    void otherFailuresAreNoLimit() {
        assertEquals(Optional.empty(), exceeded(60, "Table freshet.nope does not exist. (UNKNOWN_TABLE)"));
        assertEquals(Optional.empty(), exceeded(202, "Too many simultaneous queries. (TOO_MANY_SIMULTANEOUS_QUERIES)"));
        assertEquals(Optional.empty(), QueryLimit.exceededBy(new ClientException("Failed to get query response",
                new java.net.ConnectException("Connection refused"))));
    }

    @Test
    void theClientsWrappingIsSeenThrough() {
        var wrapped = new ClientException("Failed to get query response",
                new ServerException(396, "Code: 396. DB::Exception: Limit for result exceeded. (TOO_MANY_ROWS_OR_BYTES)", 500, "q1"));
        assertEquals(Optional.of(QueryLimit.RESULT), QueryLimit.exceededBy(wrapped));
    }

    @Test
    void aLimitIsRefusedAsTheCallersQuestionWithAClearCode() {
        for (QueryLimit limit : QueryLimit.values()) {
            AnalyticsException refusal = limit.refusal();
            assertEquals(Status.BAD_REQUEST, refusal.status());
            assertEquals("query_too_large", refusal.code());
            assertEquals("query_too_large", refusal.getExtensions().get("code"), "GraphQL errors carry the code too");
        }
    }

    private static Optional<QueryLimit> exceeded(int code, String message) {
        return QueryLimit.exceededBy(new ServerException(code, "Code: " + code + ". DB::Exception: " + message, 500, "q"));
    }
}

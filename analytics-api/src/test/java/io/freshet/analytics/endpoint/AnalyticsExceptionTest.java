package io.freshet.analytics.endpoint;

import graphql.ExceptionWhileDataFetching;
import graphql.execution.ResultPath;
import graphql.language.SourceLocation;
import jakarta.ws.rs.core.Response.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnalyticsExceptionTest {

    @Test
    void aGraphQlErrorForARefusalCarriesItsCode() {
        // SmallRye GraphQL reports a failed field as this error and writes its extensions last, over its own "code"
        var refusal = new AnalyticsException(Status.TOO_MANY_REQUESTS, "too_many_subscriptions", "This connection already holds 5");
        var error = new ExceptionWhileDataFetching(ResultPath.rootPath().segment("liveEventCounts"), refusal,
                new SourceLocation(1, 16));
        assertEquals("too_many_subscriptions", error.getExtensions().get("code"));
    }
}

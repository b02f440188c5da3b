package io.freshet.analytics.endpoint;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.GraphQLError;
import graphql.language.SourceLocation;
import io.freshet.eventmodel.http.ApiException;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/**
 * The analytics API's refusals: an {@link ApiException} (in REST, its status and {@code {"error": {"code", "message"}}};
 * ClickHouse away is 503 with a short {@code Retry-After}, as the gateway asks) that GraphQL reports too, as an error
 * with the message and {@code extensions.code}. SmallRye GraphQL copies the extensions of an exception that is a
 * {@link GraphQLError} over its own (which would say "analytics" for every refusal); graphql-java is the analytics
 * API's alone, so this interface cannot sit on the shared type.
 */
public class AnalyticsException extends ApiException implements GraphQLError {

    /** ClickHouse away: a short wait. */
    private static final int RETRY_AFTER_SECONDS = 1;

    public AnalyticsException(Response.Status status, String code, String message) {
        super(status, code, message, status == Response.Status.SERVICE_UNAVAILABLE ? RETRY_AFTER_SECONDS : null);
    }

    @Override
    public Map<String, Object> getExtensions() {
        return Map.of("code", code());
    }

    /** Where in the query: SmallRye GraphQL tells that itself, for the field that failed. */
    @Override
    public List<SourceLocation> getLocations() {
        return List.of();
    }

    @Override
    public ErrorClassification getErrorType() {
        return ErrorType.DataFetchingException;
    }
}

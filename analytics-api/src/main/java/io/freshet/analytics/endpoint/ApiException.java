package io.freshet.analytics.endpoint;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.GraphQLError;
import graphql.language.SourceLocation;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/**
 * A refused request, answered with its status and {@code {"error": {"code", "message"}}} ({@link ApiExceptionMapper});
 * in GraphQL, an error with the message and {@code extensions.code}: SmallRye GraphQL copies the extensions of an
 * exception that is a {@link GraphQLError} over its own (which would say "api" for every refusal).
 */
public class ApiException extends RuntimeException implements GraphQLError {

    private final Response.Status status;
    private final String code;

    public ApiException(Response.Status status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public Response.Status status() {
        return status;
    }

    public String code() {
        return code;
    }

    @Override
    public Map<String, Object> getExtensions() {
        return Map.of("code", code);
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

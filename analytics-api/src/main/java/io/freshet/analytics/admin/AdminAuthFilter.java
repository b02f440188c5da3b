package io.freshet.analytics.admin;

import io.freshet.eventmodel.http.ApiError;
import io.freshet.eventmodel.http.BearerToken;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Guards {@code /v1/admin/**} with the operator's token ({@code FRESHET_ADMIN_TOKEN}). */
public class AdminAuthFilter {

    private final Optional<String> adminToken;

    public AdminAuthFilter(@ConfigProperty(name = "freshet.admin.token") Optional<String> adminToken) {
        this.adminToken = adminToken.filter(t -> !t.isBlank());
    }

    @ServerRequestFilter
    public Optional<Response> requireAdmin(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/v1/admin")) {
            return Optional.empty();
        }
        if (adminToken.isEmpty()) {
            return Optional.of(refuse(Response.Status.FORBIDDEN, "admin_disabled",
                    "The admin API is disabled: start analytics-api with FRESHET_ADMIN_TOKEN set"));
        }
        boolean valid = BearerToken.from(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .map(token -> MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                        adminToken.get().getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
        return valid ? Optional.empty() : Optional.of(refuse(Response.Status.UNAUTHORIZED, "unauthorized",
                "Send the admin token as 'Authorization: Bearer <token>'"));
    }

    private static Response refuse(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(ApiError.of(code, message)).build();
    }
}

package io.freshet.eventmodel.http;

import io.freshet.eventmodel.config.SharedConfig;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Guards {@code /v1/admin/**} with the operator's token ({@code FRESHET_ADMIN_TOKEN}), in the services that serve an
 * admin API: those that set {@code freshet.admin.api=true} in their application.properties (read at build time).
 */
@IfBuildProperty(name = "freshet.admin.api", stringValue = "true")
public class AdminAuthFilter {

    private final AdminToken adminToken;

    public AdminAuthFilter(SharedConfig config, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.adminToken = new AdminToken(config.admin().token(), service);
    }

    @ServerRequestFilter
    public Optional<Response> requireAdmin(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/v1/admin")) {
            return Optional.empty();
        }
        return adminToken.check(request.getHeaderString(HttpHeaders.AUTHORIZATION)).map(refusal ->
                Response.status(refusal.status()).type(MediaType.APPLICATION_JSON).entity(refusal.error()).build());
    }
}

package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.RequestApiKey;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * A tenant's read key as a Quarkus security identity, for GraphQL subscriptions: a browser cannot set headers on a
 * WebSocket, so graphql-ws clients send {@code {"Authorization": "Bearer <key>"}} in their connection_init, which
 * Quarkus hands to this mechanism ({@code quarkus.smallrye-graphql.authorization-client-init-payload-name}). An
 * unknown key or one without the read scope closes the socket with 4403. Authentication is not proactive, so HTTP
 * requests keep their own checks ({@link TenantAuthenticator}, the admin token).
 */
@ApplicationScoped
public class TenantKeyAuthentication implements HttpAuthenticationMechanism {

    /** The identity's attribute holding the tenant. */
    public static final String TENANT = "freshet.tenant";

    private final TenantRegistry tenants;

    public TenantKeyAuthentication(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviders) {
        var apiKey = RequestApiKey.from(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (apiKey.isEmpty()) {
            return Uni.createFrom().nullItem(); // anonymous
        }
        return tenants.authenticate(apiKey.get()).filter(key -> key.allows(KeyScope.READ))
                .map(key -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(key.tenant().id()))
                        .addAttribute(TENANT, key.tenant()).build()))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("not a read key")));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, null, null));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(); // it resolves keys itself, with no identity provider
    }
}

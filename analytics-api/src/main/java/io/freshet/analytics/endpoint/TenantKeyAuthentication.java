package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.RequestApiKey;
import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.AuthenticatedKey;
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

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A tenant's read key as a Quarkus security identity, for GraphQL subscriptions: a browser cannot set headers on a
 * WebSocket, so graphql-ws clients send {@code {"Authorization": "Bearer <key>"}} in their connection_init, which
 * Quarkus hands to this mechanism with the upgrade's request ({@code quarkus.smallrye-graphql.authorization-client-init-payload-name}).
 * An unknown key, one without the read scope, or one whose tenant does not allow the page that opened the socket
 * ({@link WebSocketOrigin}) closes the socket with 4403. The identity holds the key for the connection's subscriptions
 * ({@link ConnectionKey}); each authentication is one connection's. Authentication is not proactive, so HTTP requests
 * keep their own checks ({@link TenantAuthenticator}, the admin token).
 */
@ApplicationScoped
public class TenantKeyAuthentication implements HttpAuthenticationMechanism {

    private final TenantRegistry tenants;
    private final SubscriptionRefusals refusals;

    public TenantKeyAuthentication(TenantRegistry tenants, SubscriptionRefusals refusals) {
        this.tenants = tenants;
        this.refusals = refusals;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviders) {
        var apiKey = RequestApiKey.from(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (apiKey.isEmpty()) {
            return Uni.createFrom().nullItem(); // anonymous
        }
        Optional<AuthenticatedKey> key = tenants.authenticate(apiKey.get()).filter(k -> k.allows(KeyScope.READ));
        if (key.isEmpty()) {
            return refuse("not a read key");
        }
        var tenant = key.get().tenant();
        Optional<String> page = WebSocketOrigin.foreign(context.request());
        if (page.isPresent() && !tenant.allowsOrigin(page.get())) {
            refusals.count("origin_not_allowed", tenant.id());
            return refuse("tenant " + tenant.id() + " does not allow pages of " + page.get());
        }
        var connection = new ConnectionKey(UUID.randomUUID().toString(), tenant, key.get().keyId(),
                ApiKeys.hash(apiKey.get()), page.orElse(null));
        return Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(tenant.id()))
                .addAttribute(ConnectionKey.ATTRIBUTE, connection).build());
    }

    private static Uni<SecurityIdentity> refuse(String why) {
        return Uni.createFrom().failure(new AuthenticationFailedException(why));
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

package io.freshet.eventmodel.tenant;

import java.util.Set;

/** The tenant an API key belongs to and what the key may do. */
public record AuthenticatedKey(Tenant tenant, String keyId, Set<KeyScope> scopes) {

    public boolean allows(KeyScope scope) {
        return scopes.contains(scope);
    }
}

package io.freshet.enricher.processing;

/** A raw event names a tenant the registry does not know (deleted since it was accepted). */
public class UnknownTenantException extends RuntimeException {

    public UnknownTenantException(String tenantId) {
        super("Unknown tenant '" + tenantId + "'", null, false, false);
    }
}

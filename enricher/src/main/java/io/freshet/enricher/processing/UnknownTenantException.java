package io.freshet.enricher.processing;

/** A raw event names a tenant the registry does not know (deleted since it was accepted, or not read yet). */
public class UnknownTenantException extends RuntimeException {

    private final String tenantId;

    public UnknownTenantException(String tenantId) {
        this(tenantId, "Unknown tenant '" + tenantId + "'");
    }

    public UnknownTenantException(String tenantId, String message) {
        super(message, null, false, false);
        this.tenantId = tenantId;
    }

    public String tenantId() {
        return tenantId;
    }
}

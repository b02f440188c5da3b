package io.freshet.enricher.processing;

/** A raw event names a tenant the registry does not know (deleted since it was accepted, or not read yet). */
public class UnknownTenantException extends RuntimeException {

    private final String tenantId;

    public UnknownTenantException(String tenantId) {
        this(tenantId, "is not known");
    }

    public UnknownTenantException(String tenantId, String why) {
        super("Tenant '" + tenantId + "' " + why, null, false, false);
        this.tenantId = tenantId;
    }

    public String tenantId() {
        return tenantId;
    }
}

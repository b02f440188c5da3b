package io.freshet.analytics.admin;

/** The tenant topic could not take a change in time; nothing the caller did wrong, retry later. */
public class TenantStoreUnavailableException extends RuntimeException {

    public TenantStoreUnavailableException(String message) {
        super("Tenant change not confirmed: " + message, null, false, false);
    }
}

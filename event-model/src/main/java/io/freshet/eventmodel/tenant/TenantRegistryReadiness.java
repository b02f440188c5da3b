package io.freshet.eventmodel.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready to authenticate anyone until every tenant known at start has been read. */
@Readiness
@ApplicationScoped
public class TenantRegistryReadiness implements HealthCheck {

    private final TenantRegistry registry;

    public TenantRegistryReadiness(TenantRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("tenant-registry").status(registry.isCaughtUp())
                .withData("tenants", registry.all().size()).build();
    }
}

package io.freshet.router.stream;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Down when the routing loop has died: the process is then only a shell, to be restarted. */
@Liveness
@Readiness
@ApplicationScoped
public class RouterLiveness implements HealthCheck {

    private final EnrichedEventRouter router;

    public RouterLiveness(EnrichedEventRouter router) {
        this.router = router;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("routing loop").status(router.isRunning()).build();
    }
}

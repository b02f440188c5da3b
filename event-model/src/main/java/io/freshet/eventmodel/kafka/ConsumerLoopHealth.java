package io.freshet.eventmodel.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down when a service's consume loop has died (say, on an Error): the process is then only a shell, to be
 * restarted. Services without a loop of their own report none.
 */
@Liveness
@Readiness
@ApplicationScoped
public class ConsumerLoopHealth implements HealthCheck {

    private final Instance<ConsumerLoop> loops;

    public ConsumerLoopHealth(Instance<ConsumerLoop> loops) {
        this.loops = loops;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("consume loops").up();
        for (ConsumerLoop loop : loops) {
            response.withData(loop.name(), loop.isRunning() ? "running" : "stopped");
            if (!loop.isRunning()) {
                response.down();
            }
        }
        return response.build();
    }
}

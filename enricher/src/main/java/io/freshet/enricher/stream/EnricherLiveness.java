package io.freshet.enricher.stream;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Down when the enrichment loop has died (say, on an Error): the process is then only a shell, to be restarted. */
@Liveness
@Readiness
@ApplicationScoped
public class EnricherLiveness implements HealthCheck {

    private final TransactionalEnricher enricher;

    public EnricherLiveness(TransactionalEnricher enricher) {
        this.enricher = enricher;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("enrichment loop").status(enricher.isRunning()).build();
    }
}

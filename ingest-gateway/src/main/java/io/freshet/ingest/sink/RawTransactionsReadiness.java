package io.freshet.ingest.sink;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready to take events until Kafka accepted the transactional ids of the gateway's raw-event channels. */
@Readiness
@ApplicationScoped
public class RawTransactionsReadiness implements HealthCheck {

    private final RawEventPublisher publisher;

    public RawTransactionsReadiness(RawEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("raw-event-transactions").status(publisher.ready()).build();
    }
}

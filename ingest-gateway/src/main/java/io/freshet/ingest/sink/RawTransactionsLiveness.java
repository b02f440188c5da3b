package io.freshet.ingest.sink;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Dead once a raw-event channel's producer is fenced or refused: only a restart gives it a new one. */
@Liveness
@ApplicationScoped
public class RawTransactionsLiveness implements HealthCheck {

    private final RawEventPublisher publisher;

    public RawTransactionsLiveness(RawEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        var broken = publisher.broken();
        var response = HealthCheckResponse.named("raw-event-transactions").status(broken.isEmpty());
        broken.ifPresent(reason -> response.withData("reason", reason));
        return response.build();
    }
}

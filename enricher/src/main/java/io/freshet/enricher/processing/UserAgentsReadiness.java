package io.freshet.enricher.processing;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready to enrich until the user agent rules are loaded. */
@Readiness
@ApplicationScoped
public class UserAgentsReadiness implements HealthCheck {

    private final UserAgents userAgents;

    public UserAgentsReadiness(UserAgents userAgents) {
        this.userAgents = userAgents;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("user-agent-rules").status(userAgents.loaded()).build();
    }
}

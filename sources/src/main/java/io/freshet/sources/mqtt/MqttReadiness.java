package io.freshet.sources.mqtt;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the MQTT session is up: devices' messages reach Kafka (or MQTT is off). */
@Readiness
@ApplicationScoped
public class MqttReadiness implements HealthCheck {

    private final MqttSubscription subscription;

    public MqttReadiness(MqttSubscription subscription) {
        this.subscription = subscription;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("mqtt-subscription").status(subscription.ready()).build();
    }
}

package io.freshet.enricher.config;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import java.nio.file.Path;
import java.time.Duration;

/** The enricher's {@code freshet.enricher.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.enricher")
public interface EnricherConfig {

    /** This instance's name: its static group membership, transactional id and state directory. */
    @NotBlank
    String instanceId();

    /** Tries of an event that fails for a reason that may pass (the registry away) before it is dead-lettered. */
    @Min(1)
    int maxAttempts();

    /** The first wait before a failed batch or event is tried again; it doubles up to 5 s. */
    Duration retryBackoff();

    /** An event whose timestamp is this much older than its receipt goes to the late lane. */
    Duration lateAfter();

    /** Inactivity that ends a user's derived session. */
    Duration sessionGap();

    /** Distinct user agents whose parse is kept. */
    @Min(0)
    int userAgentCache();

    /** A copy of an event_id seen within this window of the first is dropped. */
    Duration dedupWindow();

    /** Local state (the event id store), rebuilt from Kafka when lost. */
    Path stateDir();

    Breaker breaker();

    /** A tenant most of whose recent events break its rules is paused (its events dead-lettered) for a while. */
    interface Breaker {
        @DecimalMin("0.0")
        @DecimalMax("1.0")
        double failureRate();

        @Min(1)
        long minEvents();

        Duration window();

        Duration pause();
    }
}

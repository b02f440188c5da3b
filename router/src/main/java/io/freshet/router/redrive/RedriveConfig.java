package io.freshet.router.redrive;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;

/** The DLQ redrive's settings ({@code freshet.redrive.*}), checked at start. */
@ConfigMapping(prefix = "freshet.redrive")
public interface RedriveConfig {

    /** How long a redrive follows the events it sent, after the last one: those neither stored nor dead-lettered again by then are pending. */
    Duration followTimeout();
}

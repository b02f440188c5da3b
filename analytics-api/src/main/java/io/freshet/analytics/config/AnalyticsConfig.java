package io.freshet.analytics.config;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import java.time.Duration;

/** The analytics API's {@code freshet.analytics.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.analytics")
public interface AnalyticsConfig {

    /** The most buckets one question may ask for; more is refused with 400. */
    @Min(1)
    long maxBuckets();

    Cache cache();

    Dashboard dashboard();

    /** The query cache in Redis (and for a moment in memory). */
    interface Cache {
        /** How long an answer for a range that may still change is kept. */
        Duration liveTtl();

        /** How long an answer for a closed range is kept. */
        Duration closedTtl();

        /** A range ending within this of now may still change (late events). */
        Duration settle();

        /** After Redis fails, requests skip it this long. */
        Duration retryAfter();

        /** How long an instance serves an answer it just gave from memory. */
        Duration localTtl();
    }

    /** Where the live dashboard reads each service's metrics. */
    interface Dashboard {
        @NotBlank
        String ingestGatewayUrl();

        @NotBlank
        String enricherUrl();

        @NotBlank
        String routerUrl();

        @NotBlank
        String sourcesUrl();
    }
}

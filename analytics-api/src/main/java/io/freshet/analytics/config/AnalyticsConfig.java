package io.freshet.analytics.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.constraints.time.DurationMin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The analytics API's {@code freshet.analytics.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.analytics")
public interface AnalyticsConfig {

    /** The most buckets one question may ask for; more is refused with 400. */
    @Min(1)
    long maxBuckets();

    Cache cache();

    Dashboard dashboard();

    Subscriptions subscriptions();

    Queries queries();

    Sources sources();

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

    /** Tenants' database sources, as the admin API saves them (the sources service has the same settings). */
    interface Sources {
        /**
         * Hosts a source may connect to although they are internal (loopback, private, link-local) or Freshet's own
         * engines: {@code host}, {@code host:port}, {@code address/prefix} (FRESHET_SOURCES_ALLOWED_HOSTS).
         */
        Optional<List<String>> allowedHosts();

        /** Where Freshet's engines are (Kafka, ClickHouse, Redis, registry, MQTT): no source may connect to their hosts. */
        List<String> engineEndpoints();

        /** Encrypts the sources' passwords in freshet.tenants: 32 random bytes in base64 (FRESHET_SECRETS_KEY). */
        Optional<String> secretsKey();

        /** Keys that encrypted before the current one, still read (FRESHET_SECRETS_OLD_KEYS, comma-separated). */
        Optional<List<String>> secretsOldKeys();
    }

    /** GraphQL subscriptions (live answers over WebSocket). */
    interface Subscriptions {
        /**
         * How often a subscription asks again. Its time range is rounded to this period, so every watcher of a
         * tenant with the same arguments asks the same cached question within a period.
         */
        @DurationMin(millis = 100)
        Duration pushEvery();

        /** The most subscriptions one WebSocket connection may hold at once; the next one is refused. */
        @Min(1)
        int maxPerConnection();

        /** The most subscriptions one API key may hold at once in this instance, over all its connections. */
        @Min(1)
        int maxPerKey();
    }

    /**
     * Bounds on each analytics query in ClickHouse, sent with the query as its settings, so that one tenant's heavy
     * question fails alone (400 query_too_large) instead of slowing every tenant's answers. A limit of 0 means none.
     */
    interface Queries {
        /** ClickHouse stops a query running longer (max_execution_time, in whole seconds). */
        @DurationMin(seconds = 1)
        Duration maxExecutionTime();

        /** The memory one query may use on the server (max_memory_usage). */
        MemorySize maxMemoryUsage();

        /** The rows one query may read from tables (max_rows_to_read). */
        @Min(0)
        long maxRowsToRead();

        /** The rows of one answer (max_result_rows). */
        @Min(0)
        long maxResultRows();

        /** The bytes of one answer, uncompressed (max_result_bytes). */
        MemorySize maxResultBytes();
    }
}

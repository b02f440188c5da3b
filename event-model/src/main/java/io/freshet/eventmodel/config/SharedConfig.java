package io.freshet.eventmodel.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * The {@code freshet.*} settings every service shares (the engines' addresses, topics, the admin token), with their
 * defaults in event-model's {@code META-INF/microprofile-config.properties}. A service's own settings are in its own
 * mapping under {@code freshet.<service>}.
 */
@ConfigMapping(prefix = "freshet")
public interface SharedConfig {

    Registry registry();

    ClickHouse clickhouse();

    Topics topics();

    Admin admin();

    interface Registry {
        /** Apicurio's own API ({@code REGISTRY_URL}); the serdes find the schemas there. */
        String url();
    }

    interface ClickHouse {
        String url();

        String username();

        Optional<String> password();

        /** ClickHouse's native compression of requests and answers (the local stand-in does not speak it). */
        boolean compression();
    }

    interface Topics {
        /** Whether the services create the topics that are missing at start. */
        boolean create();

        /** The replication factor of the topics they create. */
        short replicationFactor();
    }

    interface Admin {
        /** The operator's token for {@code /v1/admin} ({@code FRESHET_ADMIN_TOKEN}); none disables the admin API. */
        Optional<String> token();

        /**
         * Whether this service serves {@code /v1/admin}, so that {@code AdminAuthFilter} guards it: read at build time
         * (the filter's {@code @IfBuildProperty}), here only so that the setting is a known one.
         */
        @WithDefault("false")
        boolean api();
    }
}

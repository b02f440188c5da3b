package io.freshet.sources.config;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The sources service's {@code freshet.sources.*} settings (application.properties), checked at start. */
@ConfigMapping(prefix = "freshet.sources")
public interface SourcesConfig {

    Mqtt mqtt();

    Databases databases();

    interface Mqtt {

        /** Off: no broker connection and no broker password file (a deployment without devices). */
        boolean enabled();

        /** The broker, {@code tcp://host:port} (or {@code ssl://} for TLS). */
        @Pattern(regexp = "(tcp|ssl|mqtt|mqtts)://[^:/]+:[0-9]{1,5}", message = "must be tcp://host:port or ssl://host:port")
        String url();

        /** This service's own broker user, which reads {@code freshet/#}; not a valid tenant id, so no tenant can be it. */
        @NotBlank
        String username();

        Optional<String> password();

        /**
         * The MQTT client id of the subscription: with a persistent session, the broker keeps what arrives while
         * the service is away and sends again what it had not acknowledged. One per instance; never shared. Without
         * ':', so that it is never a device's ({@code <tenant>:<name>}); Freshet's guard plugin reserves the prefix
         * {@code freshet-sources-} to this service's user.
         */
        @Pattern(regexp = "[^:]+", message = "must not hold ':' (devices' client ids do)")
        String clientId();

        /** Messages per Kafka write; each is acknowledged to the broker only once its write is. */
        @Min(1)
        @Max(10_000)
        int batchSize();

        /** The longest a message waits for its batch to fill. */
        Duration batchWait();

        /**
         * Where the broker reads its password and ACL files ({@code passwords}, {@code acl}), when this service keeps
         * them: written from the tenants' MQTT keys on every change. Empty for a broker whose users are kept elsewhere.
         */
        Optional<Path> brokerAuthDir();

        /** The broker's pid file: after a change of its password file the broker is told to reload it (SIGHUP). */
        Optional<Path> brokerPidFile();
    }

    interface Databases {

        /** Off: no tenant's database is read. */
        boolean enabled();

        /** How often the captured positions are saved to Kafka: on a restart, at most this much is read again. */
        Duration offsetFlushInterval();

        /** A failed capture (database away, wrong password) is started again after this. */
        Duration restartBackoff();

        /**
         * Hosts a source may connect to although they are internal (loopback, private, link-local) or Freshet's own
         * engines: {@code host}, {@code host:port}, {@code address/prefix} (FRESHET_SOURCES_ALLOWED_HOSTS, as the
         * admin API has it).
         */
        Optional<List<String>> allowedHosts();

        /** Where Freshet's engines are (Kafka, ClickHouse, Redis, registry, MQTT): no source may connect to their hosts. */
        List<String> engineEndpoints();

        /** Decrypts the sources' passwords: the admin API's key (FRESHET_SECRETS_KEY); required while sources are on. */
        Optional<String> secretsKey();

        /** Keys that encrypted before the current one (FRESHET_SECRETS_OLD_KEYS, comma-separated). */
        Optional<List<String>> secretsOldKeys();
    }
}

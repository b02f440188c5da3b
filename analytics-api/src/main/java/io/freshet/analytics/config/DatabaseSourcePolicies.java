package io.freshet.analytics.config;

import io.freshet.eventmodel.tenant.SourceHostPolicy;
import io.freshet.eventmodel.tenant.SourcePasswords;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Where tenants' database sources may connect and the key their passwords are encrypted with, made from the settings
 * at start: a missing key or a malformed setting stops the start rather than a later admin call.
 */
@ApplicationScoped
public class DatabaseSourcePolicies {

    @Produces
    @Singleton
    @Startup
    SourceHostPolicy hostPolicy(AnalyticsConfig config) {
        return new SourceHostPolicy(config.sources().allowedHosts().orElse(List.of()), config.sources().engineEndpoints());
    }

    @Produces
    @Singleton
    @Startup
    SourcePasswords passwords(AnalyticsConfig config) {
        String key = config.sources().secretsKey().orElseThrow(() -> new IllegalStateException(SourcePasswords.KEY_VARIABLE
                + " is not set: the analytics API encrypts tenants' database passwords with it. Set it to 32 random bytes "
                + "in base64 (openssl rand -base64 32), the same in the sources service; ./freshet up makes one in "
                + ".freshet/secrets-key"));
        return new SourcePasswords(key, config.sources().secretsOldKeys().orElse(List.of()));
    }
}

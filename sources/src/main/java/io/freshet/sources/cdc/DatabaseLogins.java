package io.freshet.sources.cdc;

import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.SourceHostPolicy;
import io.freshet.eventmodel.tenant.SourcePasswords;
import io.freshet.sources.config.SourcesConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What a capture logs in to its tenant's database with, decided just before it starts: the address its host resolves
 * to now, once {@link SourceHostPolicy} allows it (the admin API checked when the source was saved, but a name's
 * addresses can change since), and its password decrypted. Made with the service, so a missing key or a malformed
 * setting stops the start.
 */
@Singleton
class DatabaseLogins {

    /** Where and as what a capture connects. */
    record Login(String host, String password) {
    }

    private final SourceHostPolicy hosts;
    /** Empty only while database sources are off: nothing is decrypted then. */
    private final Optional<SourcePasswords> passwords;

    @Inject
    DatabaseLogins(SourcesConfig config) {
        this(new SourceHostPolicy(config.databases().allowedHosts().orElse(List.of()), config.databases().engineEndpoints()),
                passwords(config.databases()));
    }

    DatabaseLogins(SourceHostPolicy hosts, Optional<SourcePasswords> passwords) {
        this.hosts = hosts;
        this.passwords = passwords;
    }

    /**
     * @throws io.freshet.eventmodel.tenant.RefusedHostException when the host is one a source may not connect to
     * @throws IllegalStateException                           when the password does not decrypt
     */
    Login login(String tenantId, DatabaseSource source) {
        InetAddress address = hosts.check(source.host(), source.port());
        String password = passwords.orElseThrow(() -> new IllegalStateException("database sources are off"))
                .decrypt(tenantId, source);
        // the address checked, not the name: asked again, DNS could answer with another one
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return new Login(host, password);
    }

    private static Optional<SourcePasswords> passwords(SourcesConfig.Databases config) {
        if (config.secretsKey().isEmpty()) {
            if (config.enabled()) {
                throw new IllegalStateException(SourcePasswords.KEY_VARIABLE + " is not set: the sources service decrypts "
                        + "tenants' database passwords with the key the analytics API encrypts them with. Set it to the "
                        + "same key (./freshet up keeps one in .freshet/secrets-key), or turn database sources off "
                        + "(FRESHET_DATABASES_ENABLED=false)");
            }
            return Optional.empty();
        }
        return Optional.of(new SourcePasswords(config.secretsKey().get(), config.secretsOldKeys().orElse(List.of())));
    }
}

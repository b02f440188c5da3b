package io.freshet.sources.mqtt;

import io.freshet.eventmodel.tenant.MqttPasswords;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.topic.MqttTopics;
import io.freshet.sources.config.SourcesConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the broker's password and ACL files (Mosquitto's formats) in step with the tenants: a tenant with an MQTT key
 * is a broker user named by its id, whose password is that key, and who may publish under {@code freshet/<its id>/}
 * only. This service's own user reads everything under {@code freshet/} and reports its progress to Freshet's guard
 * plugin ({@link GuardReports}). After a change the broker is told to reload (SIGHUP to the pid in its pid file). The
 * tenants' own rates go to the guard's limits file, which it rereads by itself. Only when
 * {@code freshet.sources.mqtt.broker-auth-dir} is set: a broker whose users are kept elsewhere is left alone.
 */
@ApplicationScoped
public class BrokerAuthFiles {

    private static final Logger LOG = Logger.getLogger(BrokerAuthFiles.class);
    static final String PASSWORDS = "passwords";
    static final String ACL = "acl";
    /** The guard plugin's per-tenant rates (sources/src/main/mosquitto): "{@code <tenant> <events per second>}" lines. */
    static final String LIMITS = "limits";
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final SourcesConfig.Mqtt config;
    private final TenantRegistry tenants;
    private final AtomicInteger users = new AtomicInteger();
    /** This service's own line, hashed once (the hash is salted, so a new one would differ each time). */
    private String ownLine;
    private volatile String written;
    private String limitsWritten;

    public BrokerAuthFiles(SourcesConfig config, TenantRegistry tenants, MeterRegistry meters) {
        this.config = config.mqtt();
        this.tenants = tenants;
        meters.gauge("freshet.sources.mqtt.users", users);
    }

    void start(@Observes StartupEvent start) {
        if (!config.enabled() || config.brokerAuthDir().isEmpty()) {
            return;
        }
        ownLine = config.username() + ":" + MqttPasswords.hash(config.password().orElseThrow(() ->
                new IllegalStateException("freshet.sources.mqtt.password (FRESHET_MQTT_PASSWORD) is required to keep the broker's users")));
        Multi.createFrom().ticks().every(CHECK_EVERY)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                // only once every tenant known at start is read: a partial file would lock devices out
                .filter(tick -> tenants.isCaughtUp())
                .subscribe().with(tick -> update(), failure -> LOG.error("Keeping the broker's users stopped", failure));
    }

    /** True once the broker has this service's user (or the broker's users are kept elsewhere): it may log in. */
    public boolean brokerKnowsThisService() {
        return config.brokerAuthDir().isEmpty() || written != null;
    }

    private synchronized void update() {
        StringBuilder passwords = new StringBuilder(ownLine).append('\n');
        StringBuilder limits = new StringBuilder();
        int count = 0;
        for (Tenant tenant : tenants.all().stream().sorted(Comparator.comparing(Tenant::id)).toList()) {
            var key = tenant.mqttKey();
            if (key.isPresent()) {
                passwords.append(tenant.id()).append(':').append(key.get().mqttPasswordHash()).append('\n');
                count++;
                if (tenant.rateLimitPerSecond() > 0) { // 0: the broker's default, the HTTP one's
                    limits.append(tenant.id()).append(' ').append(tenant.rateLimitPerSecond()).append('\n');
                }
            }
        }
        Path dir = config.brokerAuthDir().orElseThrow();
        String limitsContent = limits.toString();
        if (!limitsContent.equals(limitsWritten)) {
            try {
                Files.createDirectories(dir);
                replace(dir.resolve(LIMITS), limitsContent);
                limitsWritten = limitsContent;
            } catch (IOException e) {
                LOG.errorf("Cannot write the tenants' MQTT rates to %s: %s; trying again", dir, e.toString());
            }
        }
        String content = passwords.toString();
        if (content.equals(written)) {
            return;
        }
        try {
            if (written == null) { // the ACL names no tenant: it is the same for the service's whole life
                Files.createDirectories(dir);
                replace(dir.resolve(ACL), acl());
            }
            replace(dir.resolve(PASSWORDS), content);
            written = content;
            users.set(count);
            reloadBroker();
            LOG.infof("Broker users written: %d tenants with MQTT", count);
        } catch (IOException e) {
            LOG.errorf("Cannot write the broker's users to %s: %s; trying again", dir, e.toString());
        }
    }

    /**
     * Mosquitto's ACL: this service reads every tenant's topics and reports to the guard; each tenant's user publishes
     * under its own prefix.
     */
    private String acl() {
        return "user " + config.username() + "\n"
                + "topic read " + MqttTopics.ALL + "\n"
                + "topic write " + GuardReports.TOPIC + "\n\n"
                + "pattern write " + MqttTopics.ROOT + "/%u/#\n";
    }

    /**
     * Whole or not at all: the broker never reads a half-written file. Readable by the owner and its group only: the
     * password hashes are secrets (a broker in a container of its own reads them as a member of the files' group).
     */
    private static void replace(Path file, String content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.deleteIfExists(next);
        Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void reloadBroker() {
        if (config.brokerPidFile().isEmpty()) {
            return;
        }
        Path pidFile = config.brokerPidFile().get();
        try {
            String pid = Files.readString(pidFile).strip();
            // no Java API sends SIGHUP: the shell's kill does (the container images have bash, not kill(1)); the pid is
            // the script's argument, never part of its text
            Process kill = new ProcessBuilder("bash", "-c", "kill -HUP \"$1\"", "kill", pid).redirectErrorStream(true).start();
            if (kill.waitFor() != 0) {
                LOG.warnf("Telling the broker (pid %s) to reload its users failed: %s", pid,
                        new String(kill.getInputStream().readAllBytes()).strip());
            }
        } catch (IOException e) {
            LOG.warnf("Cannot tell the broker to reload its users (pid file %s): %s", pidFile, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

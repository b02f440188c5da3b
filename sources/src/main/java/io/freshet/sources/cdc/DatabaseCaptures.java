package io.freshet.sources.cdc;

import io.freshet.eventmodel.config.SharedConfig;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.sources.config.SourcesConfig;
import io.freshet.sources.intake.SourceIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one {@link DatabaseCapture} per database source of every tenant, as the tenants say: a new source starts, a
 * changed one restarts with its new settings, a deleted one (or its tenant) stops, a failed one starts again after
 * the backoff. Checked every few seconds against the tenant registry, like a controller's reconcile loop.
 */
@ApplicationScoped
public class DatabaseCaptures {

    private static final Logger LOG = Logger.getLogger(DatabaseCaptures.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    private final SourcesConfig.Databases config;
    private final TenantRegistry tenants;
    private final KafkaConnection kafka;
    private final ChangeEvents changeEvents;
    private final SourceIntake intake;
    private final MeterRegistry meters;
    private final DatabaseLogins logins;
    private final short replicationFactor;
    /** By {@link DatabaseCapture#name()}; touched by the reconcile loop only (and the shutdown, after it). */
    private final Map<String, DatabaseCapture> running = new HashMap<>();

    /** A database source one of the tenants has. */
    private record Wanted(String tenantId, DatabaseSource source) {
        String name() {
            return tenantId + "/" + source.name();
        }

        String slot() {
            return source.slotName(tenantId);
        }
    }

    public DatabaseCaptures(SourcesConfig config, TenantRegistry tenants, KafkaConnection kafka, ChangeEvents changeEvents,
                            SourceIntake intake, MeterRegistry meters, DatabaseLogins logins, SharedConfig shared) {
        this.config = config.databases();
        this.tenants = tenants;
        this.kafka = kafka;
        this.changeEvents = changeEvents;
        this.intake = intake;
        this.meters = meters;
        this.logins = logins;
        this.replicationFactor = shared.topics().replicationFactor();
    }

    void start(@Observes StartupEvent start) {
        if (!config.enabled()) {
            LOG.info("Database sources are off (freshet.sources.databases.enabled=false)");
            return;
        }
        Multi.createFrom().ticks().every(CHECK_EVERY)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .filter(tick -> tenants.isCaughtUp())
                .subscribe().with(tick -> reconcileSafely(), failure -> LOG.error("Running the database sources stopped", failure));
    }

    /** A failure of one check is logged; the next check comes all the same. */
    private void reconcileSafely() {
        try {
            reconcile();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Checking the database sources failed", e);
        }
    }

    private synchronized void reconcile() {
        Map<String, Wanted> wanted = new HashMap<>();
        for (Tenant tenant : tenants.all()) {
            for (DatabaseSource source : tenant.databases()) {
                var want = new Wanted(tenant.id(), source);
                wanted.put(want.name(), want);
            }
        }
        for (String name : List.copyOf(running.keySet())) {
            DatabaseCapture capture = running.get(name);
            var want = wanted.get(name);
            boolean changed = want == null || !Objects.equals(want.source(), capture.source());
            boolean due = !capture.running() && capture.stoppedAt() != null
                    && capture.stoppedAt().plus(config.restartBackoff()).isBefore(Instant.now());
            if (changed || due) {
                LOG.infof("Stopping the capture of %s: %s", name, want == null ? "its source was deleted"
                        : changed ? "its settings changed" : "restarting after: " + capture.failure());
                stop(name);
            }
        }
        Map<String, Wanted> slotOwners = slotOwners(wanted.values());
        wanted.forEach((name, want) -> running.computeIfAbsent(name, missing -> {
            var capture = new DatabaseCapture(want.tenantId(), want.source(), config, kafka, replicationFactor, changeEvents,
                    intake, meters);
            Wanted owner = slotOwners.get(want.slot());
            if (owner.equals(want)) {
                capture.start(logins);
            } else {
                capture.refuse("its replication slot " + want.slot() + " is the slot of " + owner.name()
                        + ", created before it: remove this source and add it again, to get a slot of its own");
            }
            return capture;
        }));
    }

    /**
     * The source each slot belongs to: the first created. Two sources made before slot names were unique per tenant
     * and source can share one ({@link DatabaseSource#newSlotName}); the later one must not go on from the other's
     * position, nor take its changes.
     */
    private static Map<String, Wanted> slotOwners(Collection<Wanted> wanted) {
        Map<String, Wanted> owners = new HashMap<>();
        Comparator<Wanted> first = Comparator.comparing((Wanted w) -> w.source().createdAt(),
                Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(Wanted::name);
        for (Wanted want : wanted) {
            owners.merge(want.slot(), want, (one, other) -> first.compare(one, other) <= 0 ? one : other);
        }
        return owners;
    }

    private void stop(String name) {
        running.remove(name).close();
    }

    void shutdown(@Observes ShutdownEvent stop) {
        synchronized (this) {
            List.copyOf(running.keySet()).forEach(this::stop);
        }
    }
}

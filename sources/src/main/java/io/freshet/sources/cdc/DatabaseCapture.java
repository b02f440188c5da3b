package io.freshet.sources.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.topic.Topics;
import io.freshet.sources.config.SourcesConfig;
import io.freshet.sources.intake.SourceEvent;
import io.freshet.sources.intake.SourceIntake;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One tenant's database read by Debezium's embedded engine (PostgreSQL connector, pgoutput): each batch of changes is
 * written to Kafka, and only then marked processed, so the position the engine saves (Kafka Connect's offset store on
 * freshet.sources.database-offsets) and confirms to the replication slot never passes a change Kafka does not have.
 * After a crash the engine reads again from the saved position; the changes read twice get their first ids
 * ({@link ChangeEvents}) and the enricher passes each on once.
 */
final class DatabaseCapture {

    private static final Logger LOG = Logger.getLogger(DatabaseCapture.class);
    static final String SOURCE = "postgres";
    private static final Duration WRITE_RETRY = Duration.ofMillis(500);

    private final String tenantId;
    private final DatabaseSource source;
    private final SourcesConfig.Databases config;
    private final KafkaConnection kafka;
    private final short replicationFactor;
    private final ChangeEvents changeEvents;
    private final SourceIntake intake;
    private final ExecutorService thread;
    private final MeterRegistry meters;
    private final List<Gauge> gauges;
    private final AtomicLong lastCommitMillis = new AtomicLong();
    /** Made by {@link #start(DatabaseLogins)}, once the login is known; null for a capture refused before it. */
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile boolean closing;
    private volatile boolean running = true;
    private volatile String failure;
    private volatile Instant stoppedAt;

    DatabaseCapture(String tenantId, DatabaseSource source, SourcesConfig.Databases config, KafkaConnection kafka,
                    short replicationFactor, ChangeEvents changeEvents, SourceIntake intake, MeterRegistry meters) {
        this.tenantId = tenantId;
        this.source = source;
        this.config = config;
        this.kafka = kafka;
        this.replicationFactor = replicationFactor;
        this.changeEvents = changeEvents;
        this.intake = intake;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("capture-" + name()).daemon().factory());
        this.meters = meters;
        Tags tags = Tags.of("tenant", tenantId, "source", source.name());
        this.gauges = List.of(
                Gauge.builder("freshet.sources.database.running", this, c -> c.running ? 1 : 0)
                        .description("1 while the database source's capture runs, 0 after it failed (it restarts after the backoff)")
                        .tags(tags).register(meters),
                Gauge.builder("freshet.sources.database.lag.seconds", this, c -> c.lagMillis() / 1000.0)
                        .description("Seconds since the commit of the last change written to Kafka")
                        .tags(tags).register(meters));
    }

    String name() {
        return tenantId + "/" + source.name();
    }

    DatabaseSource source() {
        return source;
    }

    /**
     * Starts the engine with this login; a login that cannot be had (a host refused now, a password that does not
     * decrypt) stops the capture as a failed connection would, and it is tried again after the backoff.
     */
    void start(DatabaseLogins logins) {
        try {
            DatabaseLogins.Login login = logins.login(tenantId, source);
            engine = DebeziumEngine.create(Json.class)
                    .using(properties(login))
                    .using(this::completed)
                    .notifying(this::handleBatch)
                    .build();
        } catch (RuntimeException e) {
            refuse(rootMessage(e));
            return;
        }
        LOG.infof("Capturing %s: %s:%d/%s, tables %s, slot %s", name(), source.host(), source.port(), source.database(),
                source.tables(), source.slotName(tenantId));
        thread.execute(engine);
    }

    /** Does not start, for this reason: reported as a stopped capture (log, gauge), tried again after the backoff. */
    void refuse(String reason) {
        completed(false, reason, null);
    }

    boolean running() {
        return running;
    }

    /** When the engine stopped on a failure, and why; null while it runs. */
    Instant stoppedAt() {
        return stoppedAt;
    }

    String failure() {
        return failure;
    }

    /** Milliseconds from the last written change's commit in the database to now; 0 before the first. */
    private long lagMillis() {
        long commit = lastCommitMillis.get();
        return commit == 0 ? 0 : Math.max(0, System.currentTimeMillis() - commit);
    }

    /** Stops the engine and removes the capture's gauges. */
    void close() {
        gauges.forEach(meters::remove);
        closing = true;
        try {
            if (engine != null) {
                engine.close();
            }
        } catch (IOException e) {
            LOG.warnf("Closing the capture of %s: %s", name(), e.toString());
        }
        thread.shutdown();
    }

    private void handleBatch(List<ChangeEvent<String, String>> changes,
                             DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
        List<SourceEvent> events = new ArrayList<>(changes.size());
        for (ChangeEvent<String, String> change : changes) {
            changeEvents.of(tenantId, source.name(), change).ifPresent(events::add);
        }
        write(events);
        for (ChangeEvent<String, String> change : changes) {
            committer.markProcessed(change);
        }
        committer.markBatchFinished();
        events.stream().filter(e -> e.event() != null).mapToLong(e -> Instant.parse(e.event().get("timestamp").asText()).toEpochMilli())
                .max().ifPresent(lastCommitMillis::set);
    }

    /** Until Kafka has them: the engine's position does not move meanwhile. */
    private void write(List<SourceEvent> events) throws InterruptedException {
        var write = intake.write(SOURCE, events);
        while (true) {
            try {
                write.await().atMost(Duration.ofSeconds(30));
                return;
            } catch (RuntimeException e) {
                if (closing) {
                    throw new InterruptedException("closing while writing to Kafka failed: " + e.getMessage());
                }
                LOG.warnf("Writing %d changes of %s to Kafka failed (%s); trying again", events.size(), name(), e.toString());
                Thread.sleep(WRITE_RETRY.toMillis()); // backoff between two tries of the same write
            }
        }
    }

    private void completed(boolean success, String message, Throwable error) {
        running = false;
        if (!closing) {
            failure = error == null ? message : message + ": " + rootMessage(error);
            stoppedAt = Instant.now();
            LOG.errorf("The capture of %s stopped: %s", name(), failure);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private Properties properties(DatabaseLogins.Login login) {
        String slot = source.slotName(tenantId);
        var props = new Properties();
        props.setProperty("name", "freshet-" + slot);
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("database.hostname", login.host());
        props.setProperty("database.port", Integer.toString(source.port()));
        props.setProperty("database.dbname", source.database());
        props.setProperty("database.user", source.user());
        props.setProperty("database.password", login.password());
        props.setProperty("topic.prefix", slot);
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", slot);
        props.setProperty("publication.name", slot);
        props.setProperty("publication.autocreate.mode", "filtered");
        props.setProperty("table.include.list", String.join(",", source.tables()));
        props.setProperty("snapshot.mode", source.snapshot() ? "initial" : "no_data");
        props.setProperty("tombstones.on.delete", "false");
        // numbers as JSON numbers or exact strings, not Kafka Connect's encoded bytes
        props.setProperty("decimal.handling.mode", "string");
        props.setProperty("key.converter.schemas.enable", "false");
        props.setProperty("value.converter.schemas.enable", "false");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        props.setProperty("offset.storage.topic", Topics.SOURCES_DATABASE_OFFSETS);
        props.setProperty("offset.storage.partitions", "1");
        // the topic is made at start like every topic (TopicProvisioner); the store would make it like this
        props.setProperty("offset.storage.replication.factor", Short.toString(replicationFactor));
        props.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushInterval().toMillis()));
        // the offset store's clients: the services' Kafka connection (bootstrap servers, security)
        kafka.admin(Map.of()).forEach((key, value) -> props.setProperty(key, String.valueOf(value)));
        return props;
    }
}

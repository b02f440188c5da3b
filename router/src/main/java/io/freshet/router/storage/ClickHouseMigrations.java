package io.freshet.router.storage;

import io.freshet.eventmodel.config.SharedConfig;
import com.clickhouse.client.api.Client;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Applies the versioned ClickHouse migrations in {@code db/clickhouse} at start, in order, and records
 * each in {@code freshet.schema_migrations}. A migration that was changed after it was applied stops
 * the start: schema changes are new migrations, never edits. Statements are idempotent (IF NOT EXISTS)
 * so two routers starting at once converge.
 */
@ApplicationScoped
public class ClickHouseMigrations {

    private static final Logger LOG = Logger.getLogger(ClickHouseMigrations.class);

    /** Append new files here; never edit or reorder an applied one. */
    static final List<String> MIGRATIONS = List.of(
            "V001__events.sql",
            "V002__events_per_minute.sql",
            "V003__enrichment_columns.sql",
            "V004__billing_usage.sql",
            "V005__late_events.sql",
            "V006__deduplication_window.sql");

    private final Client clickHouse;
    private final String url;
    private final String username;

    public ClickHouseMigrations(Client clickHouse, SharedConfig config) {
        this.clickHouse = clickHouse;
        this.url = config.clickhouse().url();
        this.username = config.clickhouse().username();
    }

    /** Before the sink starts consuming (priority 3, after the topics). */
    void onStart(@Observes @Priority(3) StartupEvent event) throws Exception {
        try {
            execute("CREATE DATABASE IF NOT EXISTS freshet");
        } catch (Exception e) {
            // a wrong address or credentials stop the start with what to fix, not a retry loop
            throw new IllegalStateException("Cannot use ClickHouse at " + url + " as user '" + username + "': "
                    + rootMessage(e) + ". Check CLICKHOUSE_URL, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD.");
        }
        execute("""
                CREATE TABLE IF NOT EXISTS freshet.schema_migrations
                (version String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
                ENGINE = MergeTree ORDER BY version""");
        Map<String, String> applied = clickHouse.queryAll("SELECT version, checksum FROM freshet.schema_migrations").stream()
                .collect(Collectors.toMap(r -> r.getString("version"), r -> r.getString("checksum"), (a, b) -> a));
        for (String migration : MIGRATIONS) {
            String sql = read(migration);
            String checksum = sha256(sql);
            if (applied.containsKey(migration)) {
                if (!applied.get(migration).equals(checksum)) {
                    throw new IllegalStateException("ClickHouse migration " + migration + " was changed after it was "
                            + "applied; add a new migration instead of editing an applied one");
                }
                continue;
            }
            for (String statement : sql.split(";\\s*(\\n|$)")) {
                if (!statement.replaceAll("(?m)^--.*$", "").isBlank()) {
                    execute(statement);
                }
            }
            clickHouse.query("INSERT INTO freshet.schema_migrations (version, checksum) VALUES ({v:String}, {c:String})",
                    Map.of("v", migration, "c", checksum)).get(30, TimeUnit.SECONDS).close();
            LOG.infof("Applied ClickHouse migration %s", migration);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage().lines().findFirst().orElse("") : root.getClass().getSimpleName();
    }

    private void execute(String statement) throws Exception {
        clickHouse.execute(statement).get(30, TimeUnit.SECONDS).close();
    }

    private static String read(String migration) throws IOException {
        try (InputStream in = ClickHouseMigrations.class.getResourceAsStream("/db/clickhouse/" + migration)) {
            if (in == null) {
                throw new IllegalStateException("Missing ClickHouse migration resource db/clickhouse/" + migration);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}

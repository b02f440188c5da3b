package io.freshet.analytics.dashboard;

import io.freshet.analytics.config.AnalyticsConfig;
import com.clickhouse.client.api.Client;
import io.freshet.analytics.dashboard.PipelineSnapshot.LatestEvent;
import io.freshet.analytics.dashboard.PipelineSnapshot.Stage;
import io.freshet.analytics.dashboard.PipelineSnapshot.TypeCount;
import io.freshet.eventmodel.metrics.PrometheusText;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the running pipeline for the dashboard: each service's {@code /q/metrics} and ClickHouse, once a second
 * for all viewers together. Its {@link Watch} keeps the previous readings, so rates and freshness are over what
 * happened since.
 */
@ApplicationScoped
public class PipelineWatch {

    private static final String FRESHNESS = "freshet_pipeline_freshness_seconds";
    private static final String QUALITY_CHECKS = "freshet_enricher_quality_checks_total";
    /** The sources service's protocols (its metric's source label), after HTTP: the gateway. */
    private static final List<String> SOURCES = List.of("mqtt", "postgres");
    /** Freshness percentiles are over the events stored in this many last readings. */
    private static final int FRESHNESS_READINGS = 10;
    /** What a service that has not answered yet contributes: nothing. */
    private static final PrometheusText NOTHING = new PrometheusText(List.of());

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Client clickHouse;
    private final Map<String, URI> services = new LinkedHashMap<>();
    private final Multi<PipelineSnapshot> snapshots;

    public PipelineWatch(Client clickHouse, AnalyticsConfig config) {
        this.clickHouse = clickHouse;
        services.put("ingest-gateway", URI.create(config.dashboard().ingestGatewayUrl() + "/q/metrics"));
        services.put("enricher", URI.create(config.dashboard().enricherUrl() + "/q/metrics"));
        services.put("router", URI.create(config.dashboard().routerUrl() + "/q/metrics"));
        services.put("sources", URI.create(config.dashboard().sourcesUrl() + "/q/metrics"));
        // one reading a second however many watch: the first viewer starts it (a new Watch, so no stale readings
        // from an earlier run), later ones get the next snapshots, the last one leaving stops it. The readings block
        // (HTTP scrapes, ClickHouse): on a worker thread, one at a time, skipping ticks while one is slow.
        this.snapshots = Multi.createFrom().deferred(() -> {
            Watch watch = new Watch();
            return Multi.createFrom().ticks().every(Duration.ofSeconds(1))
                    .onOverflow().drop()
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(tick -> watch.next());
        }).broadcast().withCancellationAfterLastSubscriberDeparture().toAllSubscribers();
    }

    /**
     * The snapshots, one a second, shared by all viewers. A viewer that does not keep up misses snapshots instead
     * of holding back the others (the shared stream goes at the pace of its slowest subscriber).
     */
    public Multi<PipelineSnapshot> snapshots() {
        return snapshots.onOverflow().drop();
    }

    /** The readings of one run of the stream. */
    private final class Watch {
        private final Deque<Reading> readings = new ArrayDeque<>();
        /**
         * Each service's last answer. A service that does not answer keeps its last values: zeros would show its
         * totals dropping, then a false spike in its rate once it answers again.
         */
        private final Map<String, PrometheusText> lastScrapes = new HashMap<>();

        private record Reading(Instant at, Map<String, Double> in, double enriched, double stored, Map<Double, Double> freshness) {
            double ingested() {
                return in.values().stream().mapToDouble(Double::doubleValue).sum();
            }
        }

        PipelineSnapshot next() {
            Map<String, CompletableFuture<PrometheusText>> scraping = new LinkedHashMap<>();
            services.forEach((name, uri) -> scraping.put(name, scrape(uri))); // all at once
            Map<String, Boolean> up = new LinkedHashMap<>();
            scraping.forEach((name, scrape) -> {
                PrometheusText answer = scrape.join();
                up.put(name, answer != null);
                if (answer != null) {
                    lastScrapes.put(name, answer);
                }
            });
            PrometheusText gateway = lastScrapes.getOrDefault("ingest-gateway", NOTHING);
            PrometheusText enricher = lastScrapes.getOrDefault("enricher", NOTHING);
            PrometheusText router = lastScrapes.getOrDefault("router", NOTHING);
            PrometheusText sources = lastScrapes.getOrDefault("sources", NOTHING);
            Map<String, Double> in = new LinkedHashMap<>();
            in.put("http", gateway.sum("freshet_ingest_events_total", "outcome=\"accepted\""));
            for (String source : SOURCES) {
                in.put(source, sources.sum("freshet_sources_events_total", "source=\"" + source + "\"", "outcome=\"accepted\""));
            }
            Reading now = new Reading(Instant.now(), in,
                    enricher.sum("freshet_enricher_events_total", "outcome=\"enriched\""),
                    router.sum("freshet_sink_rows_total", "table=\"events\""),
                    router.buckets(FRESHNESS));
            Reading previous = readings.isEmpty() ? now : readings.getLast();
            Reading oldest = readings.isEmpty() ? now : readings.getFirst();
            readings.addLast(now);
            if (readings.size() > FRESHNESS_READINGS) {
                readings.removeFirst();
            }
            double seconds = Math.max(0.001, Duration.between(previous.at(), now.at()).toMillis() / 1000.0);
            Map<String, Stage> inBySource = new LinkedHashMap<>();
            now.in().forEach((source, total) -> inBySource.put(source, stage(total, previous.in().getOrDefault(source, total), seconds)));
            return new PipelineSnapshot(now.at(), up, inBySource,
                    stage(now.ingested(), previous.ingested(), seconds),
                    stage(now.enriched(), previous.enriched(), seconds),
                    stage(now.stored(), previous.stored(), seconds),
                    (long) (enricher.sum("freshet_enricher_events_total", "outcome=\"dead_lettered\"")
                            + router.sum("freshet_sink_dead_letters_total")),
                    (long) (enricher.sum(QUALITY_CHECKS, "dimension=\"validity\"", "result=\"fail\"")
                            + enricher.sum(QUALITY_CHECKS, "dimension=\"completeness\"", "result=\"fail\"")),
                    (long) (enricher.sum("kafka_consumer_fetch_manager_records_lag", "topic=\"freshet.events.raw\"")
                            + router.sum("kafka_consumer_fetch_manager_records_lag", "client_id=\"router-",
                            "topic=\"freshet.events.enriched\"")),
                    FreshnessQuantile.millis(oldest.freshness(), now.freshness(), 0.5),
                    FreshnessQuantile.millis(oldest.freshness(), now.freshness(), 0.95),
                    Map.of("events", (long) now.stored(),
                            "billing_usage", (long) router.sum("freshet_sink_rows_total", "table=\"billing_usage\"")),
                    lastMinuteByType(), latest());
        }
    }

    private static Stage stage(double total, double before, double seconds) {
        return new Stage((long) total, Math.max(0, (total - before) / seconds));
    }

    /** The service's metrics; null when it does not answer. */
    private CompletableFuture<PrometheusText> scrape(URI uri) {
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> response.statusCode() == 200 ? PrometheusText.of(response.body()) : null)
                .exceptionally(failure -> null);
    }

    private List<TypeCount> lastMinuteByType() {
        return clickHouse.queryAll("""
                SELECT type, count() AS events FROM freshet.events WHERE received_at > now64(3) - INTERVAL 1 MINUTE
                GROUP BY type ORDER BY events DESC, type LIMIT 8""").stream()
                .map(r -> new TypeCount(r.getString("type"), r.getLong("events"))).toList();
    }

    private List<LatestEvent> latest() {
        return clickHouse.queryAll("""
                SELECT tenant_id, type, received_at FROM freshet.events WHERE received_at > now64(3) - INTERVAL 10 MINUTE
                ORDER BY received_at DESC LIMIT 10""").stream()
                .map(r -> new LatestEvent(r.getString("tenant_id"), r.getString("type"),
                        r.getInstant("received_at"))).toList();
    }
}

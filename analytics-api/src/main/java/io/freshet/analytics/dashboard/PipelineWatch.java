package io.freshet.analytics.dashboard;

import com.clickhouse.client.api.Client;
import io.freshet.analytics.dashboard.PipelineSnapshot.LatestEvent;
import io.freshet.analytics.dashboard.PipelineSnapshot.Stage;
import io.freshet.analytics.dashboard.PipelineSnapshot.TypeCount;
import io.freshet.eventmodel.metrics.PrometheusText;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the running pipeline for the dashboard: each service's {@code /q/metrics} and ClickHouse. One {@link Watch}
 * per viewer keeps the previous readings, so rates and freshness are over what happened since.
 */
@ApplicationScoped
public class PipelineWatch {

    private static final String FRESHNESS = "freshet_pipeline_freshness_seconds";
    private static final String QUALITY_CHECKS = "freshet_enricher_quality_checks_total";
    /** Freshness percentiles are over the events stored in this many last readings. */
    private static final int FRESHNESS_READINGS = 10;
    /** What a service that does not answer contributes: nothing. */
    private static final PrometheusText NOTHING = new PrometheusText(List.of());

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Client clickHouse;
    private final Map<String, URI> services = new LinkedHashMap<>();

    public PipelineWatch(Client clickHouse,
                         @ConfigProperty(name = "freshet.dashboard.ingest-gateway-url") String gateway,
                         @ConfigProperty(name = "freshet.dashboard.enricher-url") String enricher,
                         @ConfigProperty(name = "freshet.dashboard.router-url") String router) {
        this.clickHouse = clickHouse;
        services.put("ingest-gateway", URI.create(gateway + "/q/metrics"));
        services.put("enricher", URI.create(enricher + "/q/metrics"));
        services.put("router", URI.create(router + "/q/metrics"));
    }

    public Watch watch() {
        return new Watch();
    }

    /** One viewer's readings. */
    public final class Watch {
        private final Deque<Reading> readings = new ArrayDeque<>();

        private record Reading(Instant at, double ingested, double enriched, double stored, Map<Double, Double> freshness) {
        }

        public PipelineSnapshot next() {
            Map<String, PrometheusText> scrapes = new LinkedHashMap<>();
            Map<String, Boolean> up = new LinkedHashMap<>();
            services.forEach((name, uri) -> {
                PrometheusText scrape = scrape(uri);
                up.put(name, scrape != null);
                scrapes.put(name, scrape != null ? scrape : NOTHING);
            });
            PrometheusText gateway = scrapes.get("ingest-gateway");
            PrometheusText enricher = scrapes.get("enricher");
            PrometheusText router = scrapes.get("router");
            Reading now = new Reading(Instant.now(),
                    gateway.sum("freshet_ingest_events_total", "outcome=\"accepted\""),
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
            return new PipelineSnapshot(now.at(), up,
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
    private PrometheusText scrape(URI uri) {
        try {
            var response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? PrometheusText.of(response.body()) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
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

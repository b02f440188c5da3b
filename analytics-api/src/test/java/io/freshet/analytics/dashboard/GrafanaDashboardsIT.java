package io.freshet.analytics.dashboard;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboards in devstack/grafana/dashboards ask only for what the services export: every metric of every
 * query, and the labels it is matched on or grouped by, are on a live scrape of the four services, once the pipeline
 * has made its lazily registered series. And each dashboard imports anywhere: a uid, unique panel ids, every panel
 * on the {@code ${datasource}} variable.
 */
class GrafanaDashboardsIT {

    private static final Path DASHBOARDS = LocalStack.repositoryRoot().resolve("devstack/grafana/dashboards");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** What Prometheus adds itself: the {@code up} series of each target, and these labels on every series. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    private static final Set<String> PROMETHEUS_LABELS = Set.of("job", "instance");
    /** A sample line's label names: {@code name="value"}, the value with its escapes. */
    private static final Pattern SAMPLE_LABEL = Pattern.compile("(\\w+)=\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final String REFUSED_TYPE = "grafana.refused";
    private static final String REFUSAL = "it_grafana_refused";

    @Test
    void everyDashboardHasAUidUniquePanelIdsAndEveryPanelOnTheDatasourceVariable() throws IOException {
        List<Dashboard> dashboards = dashboards();
        assertEquals(List.of("per-tenant.json", "pipeline-overview.json", "sink-health.json"),
                dashboards.stream().map(Dashboard::file).toList());
        Set<String> uids = new HashSet<>();
        for (Dashboard dashboard : dashboards) {
            JsonNode json = dashboard.json();
            String uid = json.path("uid").asText("");
            assertFalse(uid.isBlank(), dashboard.file() + " has a uid");
            assertTrue(uids.add(uid), dashboard.file() + ": uid " + uid + " is another dashboard's too");
            assertTrue(variables(json).anyMatch(v -> v.path("name").asText().equals("datasource")
                            && v.path("type").asText().equals("datasource") && v.path("query").asText().equals("prometheus")),
                    dashboard.file() + " has a Prometheus data source variable named datasource");

            List<String> ids = dashboard.panels().stream().map(p -> p.path("id").asText("none")).toList();
            assertEquals(ids.size(), new HashSet<>(ids).size(), dashboard.file() + ": panel ids are unique: " + ids);
            assertFalse(dashboard.reads().isEmpty(), dashboard.file() + " has queries");
            for (JsonNode panel : dashboard.panels()) {
                if (panel.path("type").asText().equals("row")) {
                    continue; // a row holds panels, no queries
                }
                String where = dashboard.file() + ", panel '" + panel.path("title").asText() + "'";
                assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), where);
                assertFalse(panel.path("targets").isEmpty(), where + " has queries");
                for (JsonNode target : panel.path("targets")) {
                    assertEquals("${datasource}", target.path("datasource").path("uid").asText(), where + ", query " + target.path("refId"));
                }
            }
        }
    }

    @Test
    void everyMetricAndLabelTheDashboardsQueryIsExported() throws Exception {
        makeThePipelineRegisterItsLazySeries();
        List<Dashboard> dashboards = dashboards();
        // Micrometer binds a Kafka client's new metrics (e.g. a newly assigned partition's lag) once a minute
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Map<String, Set<String>> exported = exported();
            List<String> missing = new ArrayList<>();
            for (Dashboard dashboard : dashboards) {
                Set<String> unknown = new TreeSet<>();
                dashboard.reads().forEach(reads -> unknown.addAll(unknownIn(reads, exported)));
                if (!unknown.isEmpty()) {
                    missing.add(dashboard.file() + ": " + String.join(", ", unknown));
                }
            }
            assertTrue(missing.isEmpty(), "The dashboards query what no service exports (a metric, or a metric{label}):\n  "
                    + String.join("\n  ", missing));
        });
    }

    @Test
    void theQueryReaderFindsMetricsAndLabelsNotFunctionsOrKeywords() {
        Reads reads = Reads.of("histogram_quantile(0.95, sum by (le, table) (rate(freshet_sink_flush_seconds_bucket"
                + "{table=~\"events|x\", job!=\"a,b\"}[$__rate_interval]))) / on (job) group_left "
                + "clamp_min(sum without (instance) (up offset 5m), 1e-9)");
        assertEquals(Map.of("freshet_sink_flush_seconds_bucket", Set.of("table", "job"), "up", Set.of()), reads.matchers());
        assertEquals(Set.of("le", "table", "job", "instance"), reads.groupedBy());

        Reads variable = Reads.ofVariable("label_values(freshet_ingest_events_total{outcome=\"accepted\"}, tenant)");
        assertEquals(Map.of("freshet_ingest_events_total", Set.of("outcome")), variable.matchers());
        assertEquals(Set.of("tenant"), variable.groupedBy());
    }

    /** The query's metrics that no service exports, and the labels it uses that its metrics lack (as metric{label}). */
    private static Set<String> unknownIn(Reads reads, Map<String, Set<String>> exported) {
        Set<String> unknown = new TreeSet<>();
        reads.matchers().forEach((metric, matched) -> {
            if (PROMETHEUS_SERIES.contains(metric)) {
                return;
            }
            Set<String> labels = exported.get(metric);
            if (labels == null) {
                unknown.add(metric);
                return;
            }
            // a metric's matchers are its own; what the expression groups by must be on each of its metrics
            Stream.concat(matched.stream(), reads.groupedBy().stream())
                    .filter(label -> !PROMETHEUS_LABELS.contains(label) && !labels.contains(label))
                    .forEach(label -> unknown.add(metric + "{" + label + "}"));
        });
        return unknown;
    }

    /** Every metric the four services export now, with the label names of its series. */
    private static Map<String, Set<String>> exported() {
        Map<String, Set<String>> labelsByMetric = new TreeMap<>();
        for (String service : List.of(LocalStack.ingestUrl(), LocalStack.enricherUrl(), LocalStack.routerUrl(),
                LocalStack.analyticsUrl())) {
            for (String sample : Metrics.scrape(service).samples()) {
                if (sample.isBlank()) {
                    continue;
                }
                int braceOrSpace = sample.indexOf('{') >= 0 ? sample.indexOf('{') : sample.indexOf(' ');
                Set<String> labels = labelsByMetric.computeIfAbsent(sample.substring(0, braceOrSpace), name -> new TreeSet<>());
                SAMPLE_LABEL.matcher(sample.substring(braceOrSpace)).results().forEach(label -> labels.add(label.group(1)));
            }
        }
        return labelsByMetric;
    }

    /**
     * Some series exist only once something happened: an event rejected by the gateway, one dead-lettered by the
     * enricher (it breaks its tenant's rules) and one by the router (ClickHouse refuses its row, by a CHECK constraint
     * added for this test), an analytics answer computed, a replay.
     */
    private static void makeThePipelineRegisterItsLazySeries() throws Exception {
        Instant start = Instant.now();
        TestTenant tenant = TestTenants.create("grafana");
        TestTenants.setRules(tenant.id(), "{\"validation\": {\"required\": {\"grafana.checked\": [\"order_id\"]}}}");
        ClickHouseProbe.query("ALTER TABLE freshet.events ADD CONSTRAINT IF NOT EXISTS " + REFUSAL
                + " CHECK type != '" + REFUSED_TYPE + "'");
        try {
            send(tenant, "[{\"type\":\"grafana.stored\",\"user_id\":\"u1\"}, {\"user_id\":\"u1\"}]")
                    .body("accepted", equalTo(1)).body("rejected", equalTo(1));
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= 1);

            // the rules reach the enricher through freshet.tenants: break them until an event is dead-lettered
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                send(tenant, "{\"type\":\"grafana.checked\",\"user_id\":\"u1\"}");
                return Metrics.sum(LocalStack.enricherUrl(), "freshet_enricher_events_total",
                        "tenant=\"" + tenant.id() + "\"", "outcome=\"dead_lettered\"") > 0;
            });

            double refusedBefore = Metrics.sum(LocalStack.routerUrl(), "freshet_sink_dead_letters_total");
            send(tenant, "{\"type\":\"" + REFUSED_TYPE + "\",\"user_id\":\"u1\"}");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Metrics.sum(LocalStack.routerUrl(), "freshet_sink_dead_letters_total") > refusedBefore);
        } finally {
            ClickHouseProbe.query("ALTER TABLE freshet.events DROP CONSTRAINT IF EXISTS " + REFUSAL);
        }

        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .queryParam("interval", "minute").get("/v1/stats/counts").then().statusCode(200);
        replay(tenant.id(), start);
    }

    private static ValidatableResponse send(TestTenant tenant, String json) {
        return given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer()).contentType(ContentType.JSON)
                .body(json).post("/v1/events").then().statusCode(202);
    }

    /** Replays the tenant's events since {@code from} and waits until it is done; one replay runs at a time, so it may wait its turn. */
    private static void replay(String tenant, Instant from) {
        AtomicReference<String> id = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var started = routerAdmin().contentType(ContentType.JSON)
                    .body("{\"tenant\":\"" + tenant + "\",\"from\":\"" + from + "\"}").post("/v1/admin/replays");
            assertTrue(started.statusCode() == 202 || started.statusCode() == 409, "replay answered " + started.asString());
            id.set(started.statusCode() == 202 ? started.<String>path("id") : null);
            return id.get() != null;
        });
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !"RUNNING".equals(routerAdmin().get("/v1/admin/replays/" + id.get()).path("state")));
        routerAdmin().get("/v1/admin/replays/" + id.get()).then().statusCode(200).body("state", equalTo("DONE"));
    }

    private static RequestSpecification routerAdmin() {
        return given().baseUri(LocalStack.routerUrl()).header("Authorization", "Bearer " + LocalStack.adminToken());
    }

    private static List<Dashboard> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            List<Dashboard> dashboards = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(new Dashboard(file.getFileName().toString(), JSON.readTree(file.toFile())));
            }
            return dashboards;
        }
    }

    private static Stream<JsonNode> variables(JsonNode dashboard) {
        List<JsonNode> list = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(list::add);
        return list.stream();
    }

    /** A dashboard file and its JSON model. */
    private record Dashboard(String file, JsonNode json) {

        /** Its panels, those inside (collapsed) rows too. */
        List<JsonNode> panels() {
            List<JsonNode> panels = new ArrayList<>();
            addPanels(json.path("panels"), panels);
            return panels;
        }

        private static void addPanels(JsonNode level, List<JsonNode> panels) {
            for (JsonNode panel : level) {
                panels.add(panel);
                addPanels(panel.path("panels"), panels);
            }
        }

        /** What each of its queries reads: the panels' and the query variables'. */
        List<Reads> reads() {
            List<Reads> reads = new ArrayList<>();
            for (JsonNode panel : panels()) {
                for (JsonNode target : panel.path("targets")) {
                    if (target.hasNonNull("expr")) {
                        reads.add(Reads.of(target.get("expr").asText()));
                    }
                }
            }
            variables(json).filter(v -> v.path("type").asText().equals("query")).forEach(v -> {
                JsonNode query = v.path("query"); // a string, or an object since Grafana 10
                reads.add(Reads.ofVariable(query.isObject() ? query.path("query").asText() : query.asText()));
            });
            return reads;
        }
    }

    /**
     * What one PromQL expression reads: each metric with the labels it is matched on ({@code metric{label="..."}}),
     * and the labels the expression groups or matches by ({@code by (...)}, {@code on (...)}, ...). A small tokenizer:
     * enough for dashboards, not a PromQL parser.
     */
    record Reads(Map<String, Set<String>> matchers, Set<String> groupedBy) {

        /** Strings, Grafana variables, numbers and durations, names, and any other single character. */
        private static final Pattern TOKEN = Pattern.compile(
                "\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|\\$\\{?\\w+}?|[0-9][\\w.]*|[a-zA-Z_:][\\w:]*|\\S");
        private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][\\w:]*");
        /** Names that are not metrics: aggregations and keywords. Functions are known by the '(' after them. */
        private static final Set<String> KEYWORDS = Set.of("sum", "min", "max", "avg", "count", "group", "stddev",
                "stdvar", "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio", "by", "without", "on",
                "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
        /** Keywords followed by label names in parentheses. */
        private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
        /** Grafana's variable query {@code label_values(metric selector, label)} (or {@code label_values(label)}). */
        private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:(.+),)?\\s*(\\w+)\\s*\\)");

        static Reads ofVariable(String query) {
            Matcher labelValues = LABEL_VALUES.matcher(query.strip());
            if (!labelValues.matches()) {
                return of(query);
            }
            Reads reads = of(labelValues.group(1) == null ? "" : labelValues.group(1));
            reads.groupedBy().add(labelValues.group(2));
            return reads;
        }

        static Reads of(String expression) {
            List<String> tokens = TOKEN.matcher(expression).results().map(MatchResult::group).toList();
            Reads reads = new Reads(new TreeMap<>(), new TreeSet<>());
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                if (token.equals("{")) { // a selector's matchers: label names stand before '=', '!=', '=~', '!~'
                    Set<String> matched = i > 0 && reads.matchers().containsKey(tokens.get(i - 1))
                            ? reads.matchers().get(tokens.get(i - 1)) : new TreeSet<>();
                    for (i++; !tokens.get(i).equals("}"); i++) {
                        if (isName(tokens.get(i)) && Set.of("=", "!").contains(tokens.get(i + 1))) {
                            matched.add(tokens.get(i));
                        }
                    }
                } else if (token.equals("[")) { // a range: durations and Grafana variables
                    while (!tokens.get(i).equals("]")) {
                        i++;
                    }
                } else if (LABEL_LISTS.contains(token) && next(tokens, i).equals("(")) {
                    for (i += 2; !tokens.get(i).equals(")"); i++) {
                        if (isName(tokens.get(i))) {
                            reads.groupedBy().add(tokens.get(i));
                        }
                    }
                } else if (isName(token) && !KEYWORDS.contains(token) && !next(tokens, i).equals("(")) {
                    reads.matchers().computeIfAbsent(token, metric -> new TreeSet<>());
                }
            }
            return reads;
        }

        private static boolean isName(String token) {
            return NAME.matcher(token).matches();
        }

        private static String next(List<String> tokens, int i) {
            return i + 1 < tokens.size() ? tokens.get(i + 1) : "";
        }
    }
}

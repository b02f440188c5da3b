package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.freshet.kubernetes.Rendered.matches;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names and selectors that tie objects together: a typo in any of them fails silently on a cluster. */
class WiringTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void servicesSelectPodsAndTheirPorts(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        rendered.ofKind("Service").forEach(service -> {
            var pods = rendered.workloadsSelectedBy(service.path("spec").path("selector"));
            assertFalse(pods.isEmpty(), overlay + ": Service " + name(service) + " selects no pods");
            for (JsonNode port : service.path("spec").path("ports")) {
                pods.forEach(d -> assertTrue(hasPort(d, port.path("targetPort")),
                        overlay + ": Service " + name(service) + "'s targetPort " + port.path("targetPort") + " is no port of " + name(d)));
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void networkPoliciesSelectRealPodsAndPorts(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        assertTrue(rendered.ofKind("NetworkPolicy").anyMatch(p -> p.at("/spec/podSelector").isEmpty()
                && p.at("/spec/ingress").isMissingNode()), overlay + " needs a default-deny ingress policy");
        String clickHouse = name(rendered.only("ClickHouseInstallation"));
        rendered.ofKind("NetworkPolicy").forEach(policy -> {
            String what = overlay + ": NetworkPolicy " + name(policy);
            JsonNode selector = policy.at("/spec/podSelector");
            if (selector.isEmpty()) {
                return;
            }
            var pods = rendered.workloadsSelectedBy(selector);
            // ClickHouse's pods are made by its operator, labelled with the installation's name
            boolean clickHousePods = selector.at("/matchLabels/clickhouse.altinity.com~1chi").asText().equals(clickHouse);
            assertTrue(!pods.isEmpty() || clickHousePods, what + " selects no pods");
            for (JsonNode rule : policy.at("/spec/ingress")) {
                for (JsonNode port : rule.path("ports")) {
                    pods.forEach(d -> assertTrue(hasPort(d, port.path("port")), what + " opens " + port + ", no port of " + name(d)));
                }
                stream(rule.path("from")).filter(peer -> !peer.has("namespaceSelector"))
                        .forEach(peer -> assertSelectsPods(rendered, peer.path("podSelector"), what));
            }
        });
        // Strimzi makes the Kafka listeners' policies from these peers
        rendered.ofKind("Kafka").flatMap(kafka -> stream(kafka.at("/spec/kafka/listeners")))
                .flatMap(listener -> stream(listener.path("networkPolicyPeers")))
                .filter(peer -> !peer.has("namespaceSelector"))
                .forEach(peer -> assertSelectsPods(rendered, peer.path("podSelector"), overlay + ": Kafka listener"));
    }

    /** The selector selects pods, and each value an In expression lists selects some: a misspelt name selects nothing. */
    private static void assertSelectsPods(Rendered rendered, JsonNode selector, String what) {
        assertFalse(rendered.workloadsSelectedBy(selector).isEmpty(), what + " admits no pods: " + selector);
        stream(selector.path("matchExpressions")).filter(e -> e.path("operator").asText().equals("In")).forEach(expression ->
                stream(expression.path("values")).forEach(value -> assertTrue(rendered.workloads().anyMatch(d ->
                                Rendered.podLabels(d).path(expression.path("key").asText()).asText().equals(value.asText())),
                        what + " admits " + expression.path("key").asText() + "=" + value.asText() + ", which no pod has")));
    }

    /** Health and metrics carry tenants' labels: their port admits Prometheus and the dashboard (analytics-api) only. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theManagementPortAdmitsOnlyPrometheusAndTheDashboard(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        for (String service : ServiceConfig.SERVICES) {
            JsonNode pod = rendered.workload(service);
            var rules = ingressRules(rendered, pod);
            rules.forEach(rule -> assertTrue(rule.has("ports"), overlay + ": a rule opens every port of " + service + ": " + rule));
            var management = rules.stream().filter(rule -> opens(rule, ServiceConfig.MANAGEMENT_PORT, "management")).toList();
            assertTrue(management.stream().flatMap(rule -> stream(rule.path("from"))).anyMatch(WiringTest::isPrometheus),
                    overlay + ": no network policy lets Prometheus scrape " + service);
            management.forEach(rule -> {
                assertTrue(rule.has("from"), overlay + ": " + service + "'s management port is open to anyone");
                stream(rule.path("from")).forEach(peer -> assertTrue(isPrometheus(peer) || isDashboard(peer),
                        overlay + ": " + service + "'s management port admits " + peer));
            });
        }
    }

    /** Anyone may reach the public ports (the ingest and analytics APIs, devices' MQTT over TLS), and only those. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void onlyThePublicPortsAreOpenToAnyone(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        Map<String, Integer> publicPorts = Map.of("ingest-gateway", 8080, "analytics-api", 8083, "sources", 8883);
        for (String service : ServiceConfig.SERVICES) {
            var open = ingressRules(rendered, rendered.workload(service)).stream().filter(rule -> !rule.has("from"))
                    .flatMap(rule -> stream(rule.path("ports"))).map(port -> port.path("port").asInt()).collect(Collectors.toSet());
            assertEquals(publicPorts.containsKey(service) ? Set.of(publicPorts.get(service)) : Set.of(), open,
                    overlay + ": the ports of " + service + " open to anyone");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void redisAsksForThePasswordItsClientsGive(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode redis = rendered.container("redis");
        String command = Stream.concat(stream(redis.path("command")), stream(redis.path("args"))).map(JsonNode::asText)
                .collect(Collectors.joining(" "));
        // the password in a configuration read from standard input, never on a command line that ps shows
        assertTrue(command.matches("(?s).*redis-server - .*requirepass \\$REDIS_PASSWORD\\b.*"), "Redis asks for no password: " + command);
        assertFalse(command.contains("--requirepass"), "Redis's password on its command line: " + command);
        assertEquals("freshet-secrets", redisPassword(rendered).path("name").asText(), overlay + ": Redis's password is not from the Secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void theAnalyticsApiReadsClickHouseAsAUserThatOnlyReadsWithinCappedLimits(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode analytics = rendered.container("analytics-api");
        assertEquals("freshet_analytics", rendered.value(analytics, "ANALYTICS_CLICKHOUSE_USER"), overlay);
        assertNull(rendered.environment(analytics).get("CLICKHOUSE_USER"), overlay + ": the analytics API has the writers' login");
        JsonNode password = rendered.environment(analytics).get("ANALYTICS_CLICKHOUSE_PASSWORD").at("/valueFrom/secretKeyRef");

        JsonNode configuration = rendered.only("ClickHouseInstallation").at("/spec/configuration");
        JsonNode users = configuration.path("users");
        assertEquals(password, users.at("/freshet_analytics~1password/valueFrom/secretKeyRef"), overlay + ": another password");
        String profile = users.path("freshet_analytics/profile").asText();
        assertEquals("2", configuration.path("profiles").path(profile + "/readonly").asText(), overlay + ": it may write");
        assertEquals(List.of("GRANT SELECT ON freshet.*"), stream(users.path("freshet_analytics/grants/query")).map(JsonNode::asText).toList());
        for (String limit : List.of("max_execution_time", "max_memory_usage", "max_rows_to_read", "max_result_rows", "max_result_bytes")) {
            assertTrue(configuration.path("profiles").path(profile + "/constraints/" + limit + "/max").canConvertToLong(),
                    overlay + ": nothing caps " + limit);
        }
    }

    /** Where Redis's password comes from (a secretKeyRef): its clients must give the same. */
    static JsonNode redisPassword(Rendered rendered) {
        JsonNode password = rendered.environment(rendered.container("redis")).get("REDIS_PASSWORD");
        assertNotNull(password, rendered.overlay() + ": Redis has no REDIS_PASSWORD");
        return password.at("/valueFrom/secretKeyRef");
    }

    /** The ingress rules of every network policy that selects the pods of this workload. */
    static List<JsonNode> ingressRules(Rendered rendered, JsonNode workload) {
        return rendered.ofKind("NetworkPolicy")
                .filter(p -> !p.at("/spec/podSelector").isEmpty() && matches(p.at("/spec/podSelector"), Rendered.podLabels(workload)))
                .flatMap(p -> stream(p.at("/spec/ingress"))).toList();
    }

    static boolean opens(JsonNode rule, int number, String name) {
        return stream(rule.path("ports")).anyMatch(port -> port.path("port").isNumber()
                ? port.path("port").asInt() == number : port.path("port").asText().equals(name));
    }

    private static boolean isPrometheus(JsonNode peer) {
        return peer.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText().equals("monitoring")
                && peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText().equals("prometheus");
    }

    /** analytics-api's pods in this namespace: its live dashboard reads the other services' metrics. */
    private static boolean isDashboard(JsonNode peer) {
        return !peer.has("namespaceSelector") && !peer.has("ipBlock")
                && peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText().equals("analytics-api")
                && peer.at("/podSelector/matchExpressions").isMissingNode();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void serviceMonitorScrapesTheJobsTheAlertRulesWatch(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        JsonNode monitor = rendered.only("ServiceMonitor");
        // the job label is the Service's name unless jobLabel says otherwise
        assertTrue(monitor.at("/spec/jobLabel").isMissingNode());
        var scraped = rendered.ofKind("Service").filter(s -> matches(monitor.at("/spec/selector"), s.at("/metadata/labels"))).toList();
        assertEquals(Set.copyOf(ServiceConfig.SERVICES), scraped.stream().map(Rendered::name).collect(Collectors.toSet()));
        for (JsonNode endpoint : monitor.at("/spec/endpoints")) {
            assertEquals("/q/metrics", endpoint.path("path").asText());
            // the metrics are on the management interface only
            assertEquals("management", endpoint.path("port").asText(), "the ServiceMonitor scrapes another port than management");
            scraped.forEach(s -> assertTrue(stream(s.at("/spec/ports")).anyMatch(p -> p.path("name").equals(endpoint.path("port"))
                            && p.path("port").asInt() == ServiceConfig.MANAGEMENT_PORT),
                    "Service " + name(s) + " has no port " + endpoint.path("port") + " " + ServiceConfig.MANAGEMENT_PORT));
        }
        String serviceDown = stream(rendered.one("PrometheusRule", "freshet-alerts").at("/spec/groups"))
                .flatMap(group -> stream(group.path("rules")))
                .filter(rule -> rule.path("alert").asText().equals("FreshetServiceDown"))
                .findFirst().orElseThrow().path("expr").asText();
        Matcher jobs = Pattern.compile("job=~\"([^\"]+)\"").matcher(serviceDown);
        assertTrue(jobs.find(), serviceDown);
        assertEquals(Set.copyOf(ServiceConfig.SERVICES), Set.of(jobs.group(1).split("\\|")), "the jobs FreshetServiceDown watches");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void endpointsNameWhatTheOverlayRuns(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        String kafka = name(rendered.only("Kafka"));
        String clickHouse = name(rendered.only("ClickHouseInstallation"));
        for (String service : ServiceConfig.SERVICES) {
            var environment = rendered.environment(rendered.container(service));
            environment.forEach((variable, entry) -> {
                String value = rendered.value(entry);
                if (variable.equals("KAFKA_BOOTSTRAP_SERVERS")) {
                    assertEquals(kafka + "-kafka-bootstrap:" + KafkaSecurityTest.listener(rendered).path("port").asInt(), value,
                            "Strimzi's bootstrap Service of the Kafka " + kafka + ", on its listener's port");
                } else if (variable.equals("CLICKHOUSE_URL")) {
                    assertEquals("http://clickhouse-" + clickHouse + ":8123", value, "the operator's Service of the installation " + clickHouse);
                } else if (value != null && value.matches("(https?|redis)://.*")) {
                    // REGISTRY_URL, REDIS_URL, the dashboard's FRESHET_*_URL: a Service of this overlay and one of its ports
                    URI uri = URI.create(value);
                    JsonNode target = rendered.one("Service", uri.getHost());
                    assertTrue(stream(target.at("/spec/ports")).anyMatch(p -> p.path("port").asInt() == uri.getPort()),
                            service + "'s " + variable + " " + value + ": no such port on the Service");
                    if (variable.matches("FRESHET_[A-Z]+_URL")) {
                        // the dashboard reads <url>/q/metrics, which only the management port serves
                        assertEquals(ServiceConfig.MANAGEMENT_PORT, uri.getPort(), service + "'s " + variable + " " + value);
                    }
                }
            });
        }
    }

    /** Whether a port (number or name) is a container port of the workload's pods. */
    private static boolean hasPort(JsonNode workload, JsonNode port) {
        return stream(podSpec(workload).path("containers")).flatMap(c -> stream(c.path("ports")))
                .anyMatch(p -> port.isNumber() ? p.path("containerPort").asInt() == port.asInt() : p.path("name").asText().equals(port.asText()));
    }
}

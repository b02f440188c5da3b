package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.freshet.kubernetes.Rendered.matches;
import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.podSpec;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void prometheusMayScrapeEveryService(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        for (String service : ServiceConfig.SERVICES) {
            JsonNode pod = rendered.workload(service);
            // the port the ServiceMonitor scrapes: the service container's http, not another port of its pod (the broker's)
            JsonNode metrics = stream(rendered.container(service).path("ports")).filter(p -> p.path("name").asText().equals("http"))
                    .findFirst().orElseThrow(() -> new AssertionError(service + " has no port http"));
            boolean open = rendered.ofKind("NetworkPolicy")
                    .filter(p -> !p.at("/spec/podSelector").isEmpty() && matches(p.at("/spec/podSelector"), Rendered.podLabels(pod)))
                    .flatMap(p -> stream(p.at("/spec/ingress")))
                    .filter(rule -> !rule.has("from") || stream(rule.path("from"))
                            .anyMatch(peer -> peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText().equals("prometheus")))
                    .anyMatch(rule -> stream(rule.path("ports")).anyMatch(port -> port.path("port").isNumber()
                            ? port.path("port").asInt() == metrics.path("containerPort").asInt()
                            : port.path("port").asText().equals("http")));
            assertTrue(open, overlay + ": no network policy lets Prometheus scrape " + service);
        }
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
            scraped.forEach(s -> assertTrue(stream(s.at("/spec/ports")).anyMatch(p -> p.path("name").equals(endpoint.path("port"))),
                    "Service " + name(s) + " has no port " + endpoint.path("port")));
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
                    assertEquals(kafka + "-kafka-bootstrap:9092", value, "Strimzi's bootstrap Service of the Kafka " + kafka);
                } else if (variable.equals("CLICKHOUSE_URL")) {
                    assertEquals("http://clickhouse-" + clickHouse + ":8123", value, "the operator's Service of the installation " + clickHouse);
                } else if (value != null && value.matches("(https?|redis)://.*")) {
                    // REGISTRY_URL, REDIS_URL, the dashboard's FRESHET_*_URL: a Service of this overlay and one of its ports
                    URI uri = URI.create(value);
                    JsonNode target = rendered.one("Service", uri.getHost());
                    assertTrue(stream(target.at("/spec/ports")).anyMatch(p -> p.path("port").asInt() == uri.getPort()),
                            service + "'s " + variable + " " + value + ": no such port on the Service");
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

package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The cluster's alert rules are the local Prometheus's: devstack/prometheus/freshet.rules.yml is their one source. */
class PrometheusRuleTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void thePrometheusRuleHoldsTheRuleFilesGroups(String overlay) throws IOException {
        JsonNode ruleFile = Rendered.YAML.readTree(Rendered.ROOT.resolve("devstack/prometheus/freshet.rules.yml").toFile());
        JsonNode rule = Rendered.of(overlay).one("PrometheusRule", "freshet-alerts");
        assertEquals(ruleFile.path("groups"), rule.path("spec").path("groups"),
                "kubernetes/base/monitoring/prometheus-rules.yaml differs from devstack/prometheus/freshet.rules.yml: "
                        + "run kubernetes/prometheus-rules.sh");
    }
}

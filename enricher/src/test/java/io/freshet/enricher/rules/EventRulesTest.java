package io.freshet.enricher.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freshet.enricher.quality.Quality;
import io.freshet.enricher.quality.QualityRule;
import io.freshet.eventmodel.tenant.TenantRules;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EventRules rules(String tenant, String json) throws Exception {
        return new EventRules(tenant, TenantRules.of(JSON.readTree(json)));
    }

    @Test
    void checksRecordEveryRuleAndEveryReason() throws Exception {
        var rules = rules("t", """
                {"validation": {"required": {"buy": ["sku", "qty"]}, "properties": {"qty": {"type": "integer", "min": 1}}}}""");
        List<String> violations = new ArrayList<>();
        Quality quality = rules.check("buy", (ObjectNode) JSON.readTree("{\"qty\": 0}"), violations);
        assertEquals(List.of("'buy' requires properties [sku], missing", "property 'qty' is 0, outside [1, -]"), violations);
        assertFalse(quality.passed(QualityRule.REQUIRED));
        assertTrue(quality.passed(QualityRule.TYPE));
        assertFalse(quality.passed(QualityRule.RANGE));
        assertFalse(quality.checked(QualityRule.ALLOWED_TYPES), "no allowed types configured");
        assertTrue(quality.invalid());
    }

    @Test
    void samplingIsDecidedByTheEventIdAlone() throws Exception {
        var rules = rules("t", "{\"transform\": {\"sample\": {\"*\": 0.25}}}");
        List<String> ids = IntStream.range(0, 20_000).mapToObj(i -> UUID.randomUUID().toString()).toList();
        long kept = ids.stream().filter(id -> !rules.samplesOut("any", id)).count();
        assertTrue(kept > 4_600 && kept < 5_400, kept + " of 20000 kept at 0.25");
        assertTrue(ids.stream().allMatch(id -> rules.samplesOut("any", id) == rules.samplesOut("other", id)));
    }

    @Test
    void hashesAreSaltedWithTheTenant() throws Exception {
        String json = "{\"transform\": {\"hash\": [\"email\"]}}";
        var props = (ObjectNode) JSON.readTree("{\"email\": \"jane@example.com\"}");
        String a = rules("a", json).transform(props).path("email").asText();
        assertEquals(a, rules("a", json).transform(props).path("email").asText());
        assertNotEquals(a, rules("b", json).transform(props).path("email").asText());
        assertEquals("jane@example.com", props.path("email").asText(), "the input is left as it was");
    }
}

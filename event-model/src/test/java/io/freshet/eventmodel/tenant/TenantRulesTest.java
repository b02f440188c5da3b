package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TenantRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsEveryRuleKind() throws Exception {
        TenantRules rules = TenantRules.of(JSON.readTree("""
                {"validation": {"allowed_types": ["page.view"], "required": {"page.view": ["url"]},
                                "properties": {"amount": {"type": "number", "min": 0, "max": 10}, "url": {"type": "string", "max_length": 2000}}},
                 "transform": {"filter_types": ["debug"], "sample": {"*": 0.5}, "rename": {"u": "url"}, "drop": ["password"],
                               "mask": ["phone"], "hash": ["email"], "tags": {"env": "prod"}},
                 "alerts": [{"name": "errors", "type": "error.captured", "threshold": 100}]}
                """));
        assertEquals(TenantRules.JsonType.NUMBER, rules.validation().properties().get("amount").type());
        assertEquals(2000, rules.validation().properties().get("url").maxLength());
        assertEquals(0.5, rules.transform().sample().get("*"));
        assertEquals("prod", rules.transform().tags().get("env"));
        assertEquals(new TenantRules.AlertRule("errors", "error.captured", 100L, 1), rules.alerts().getFirst());
        assertEquals(TenantRules.NONE, TenantRules.of(JSON.readTree("{}")));
        assertEquals(TenantRules.NONE, TenantRules.of(null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            []                                                                  | Rules must be a JSON object
            {"validaton": {}}                                                   | Unrecognized field "validaton"
            {"transform": {"drop": "password"}}                                 | transform.drop
            {"transform": {"sample": {"page.view": 1.5}}}                       | transform.sample.page.view: the kept fraction must be between 0 and 1
            {"transform": {"rename": {"a": "x", "b": "x"}}}                     | transform.rename: two properties are renamed to the same name
            {"transform": {"mask": ["email"], "hash": ["email"]}}               | 'email' is both masked and hashed
            {"validation": {"properties": {"n": {"type": "decimal"}}}}          | unknown type 'decimal'
            {"validation": {"properties": {"n": {"min": 1}}}}                   | validation.properties.n: 'type' is required
            {"validation": {"properties": {"n": {"type": "number", "min": 5, "max": 1}}}} | 'min' is greater than 'max'
            {"validation": {"properties": {"s": {"type": "string", "min": 1}}}} | 'min' and 'max' apply to number and integer only
            {"validation": {"required": {"order.created": [""]}}}               | validation.required.order.created: names are non-empty
            {"alerts": [{"name": "e", "type": "error", "threshold": 5, "window_minutes": 2000}]} | alerts.e: 'window_minutes' is between 1 and 1440
            {"alerts": [{"name": "e", "type": "a"}, {"name": "e", "type": "b"}]} | alerts: two rules have the same name
            {"alerts": [{"type": "error", "threshold": 5}]}                     | alerts: names are non-empty
            {"alerts": [null]}                                                  | alerts: a rule is an object
            {"alerts": [{"name": "e", "type": "error"}]}                        | alerts.e: 'threshold' is required
            """)
    void refusesRulesThatCannotWork(String json, String reason) throws Exception {
        var error = assertThrows(InvalidRulesException.class, () -> TenantRules.of(JSON.readTree(json)));
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().contains(reason),
                () -> "expected '" + reason + "' in: " + error.getMessage());
    }
}

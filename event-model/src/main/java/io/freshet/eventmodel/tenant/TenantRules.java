package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A tenant's validation and transformation rules, as saved with the tenant (JSON, snake_case). The admin API
 * parses them before it saves, so a rule that cannot work is refused with its reason then, never met by the
 * enricher. Properties are named at the top level of an event's {@code properties}.
 *
 * <pre>{@code
 * {"validation": {"allowed_types": ["page.view", "order.created"],
 *                 "required": {"order.created": ["order_id", "amount"]},
 *                 "properties": {"amount": {"type": "number", "min": 0, "max": 100000}}},
 *  "transform":  {"filter_types": ["debug.log"], "sample": {"page.view": 0.25},
 *                 "rename": {"amt": "amount"}, "drop": ["password"], "mask": ["phone"], "hash": ["email"],
 *                 "tags": {"env": "prod"}},
 *  "alerts":     [{"name": "error-burst", "type": "error.captured", "threshold": 100, "window_minutes": 1}]}
 * }</pre>
 */
@RegisterForReflection // Jackson parses it and its nested types outside REST: native keeps their members
public record TenantRules(Validation validation, Transform transform, List<AlertRule> alerts) {

    public static final TenantRules NONE = new TenantRules(Validation.NONE, Transform.NONE, List.of());
    /** The longest alert window: the router keeps a day of alert counts. */
    public static final int MAX_ALERT_WINDOW_MINUTES = 1440;

    /** Bounds a tenant's rules, which the enricher applies to every event. */
    static final int MAX_ENTRIES = 200;
    static final int MAX_NAME_LENGTH = 128;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    /**
     * @param allowedTypes event types a tenant may send; empty allows all
     * @param required     per event type, the properties an event must carry (completeness)
     * @param properties   per property, the JSON type and range its value must have when present (validity)
     */
    public record Validation(List<String> allowedTypes, Map<String, List<String>> required,
                             Map<String, PropertyRule> properties) {
        static final Validation NONE = new Validation(List.of(), Map.of(), Map.of());

        public Validation {
            allowedTypes = allowedTypes == null ? List.of() : List.copyOf(allowedTypes);
            required = ordered(required);
            properties = ordered(properties);
        }
    }

    /** A property's JSON type and, for numbers, range; for strings, maximum length. */
    public record PropertyRule(JsonType type, Double min, Double max, Integer maxLength) {
    }

    public enum JsonType {
        STRING, NUMBER, INTEGER, BOOLEAN, OBJECT, ARRAY;

        @com.fasterxml.jackson.annotation.JsonCreator
        static JsonType of(String name) {
            for (JsonType type : values()) {
                if (type.name().equalsIgnoreCase(name)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("unknown type '" + name + "' (string, number, integer, boolean, object, array)");
        }

        public boolean matches(JsonNode value) {
            return switch (this) {
                case STRING -> value.isTextual();
                case NUMBER -> value.isNumber();
                case INTEGER -> value.isIntegralNumber();
                case BOOLEAN -> value.isBoolean();
                case OBJECT -> value.isObject();
                case ARRAY -> value.isArray();
            };
        }

        public String label() {
            return name().toLowerCase();
        }
    }

    /**
     * Applied in this order: filter, sample, (validation), rename, drop, mask, hash, tags.
     *
     * @param filterTypes event types dropped on purpose
     * @param sample      per event type (or "*"), the fraction kept, decided by event id so a retry decides alike
     * @param mask        properties whose values are masked (an e-mail keeps its first letter and domain)
     * @param hash        properties whose values are replaced by a SHA-256 of tenant and value (pseudonymous, joinable)
     * @param tags        constant tags added to every event
     */
    public record Transform(List<String> filterTypes, Map<String, Double> sample, Map<String, String> rename,
                            List<String> drop, List<String> mask, List<String> hash, Map<String, String> tags) {
        static final Transform NONE = new Transform(List.of(), Map.of(), Map.of(), List.of(), List.of(), List.of(), Map.of());

        public Transform {
            filterTypes = filterTypes == null ? List.of() : List.copyOf(filterTypes);
            sample = ordered(sample);
            rename = ordered(rename);
            drop = drop == null ? List.of() : List.copyOf(drop);
            mask = mask == null ? List.of() : List.copyOf(mask);
            hash = hash == null ? List.of() : List.copyOf(hash);
            tags = ordered(tags);
        }
    }

    /**
     * An alert the router raises, once per window, when more than {@code threshold} events of {@code type} arrive in
     * one tumbling window of {@code windowMinutes} (by the time the gateway accepted them).
     */
    public record AlertRule(String name, String type, Long threshold, Integer windowMinutes) {
        public AlertRule {
            windowMinutes = windowMinutes == null ? 1 : windowMinutes;
        }

        public long windowMillis() {
            return windowMinutes * 60_000L;
        }
    }

    public TenantRules {
        validation = validation == null ? Validation.NONE : validation;
        transform = transform == null ? Transform.NONE : transform;
        alerts = alerts == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(alerts)); // nulls reported by problems()
    }

    /** Read-only, in the order the admin wrote them: violations are then reported in a stable order. */
    private static <K, V> Map<K, V> ordered(Map<K, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The rules in a tenant's saved JSON (none when absent). */
    public static TenantRules of(JsonNode json) throws InvalidRulesException {
        if (json == null || json.isNull() || json.isEmpty() && json.isObject()) {
            return NONE;
        }
        if (!json.isObject()) {
            throw new InvalidRulesException("Rules must be a JSON object with 'validation', 'transform' and/or 'alerts'");
        }
        TenantRules rules;
        try {
            rules = STRICT.treeToValue(json, TenantRules.class);
        } catch (JacksonException e) {
            throw new InvalidRulesException(describe(e));
        } catch (IllegalArgumentException e) {
            throw new InvalidRulesException(e.getMessage());
        }
        List<String> problems = rules.problems();
        if (!problems.isEmpty()) {
            throw new InvalidRulesException(String.join("; ", problems));
        }
        return rules;
    }

    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        Validation v = validation;
        names("validation.allowed_types", v.allowedTypes(), problems);
        names("validation.required", v.required().keySet(), problems);
        v.required().forEach((type, props) -> names("validation.required." + type, props, problems));
        names("validation.properties", v.properties().keySet(), problems);
        v.properties().forEach((name, rule) -> {
            String at = "validation.properties." + name;
            if (rule == null || rule.type() == null) {
                problems.add(at + ": 'type' is required");
                return;
            }
            if ((rule.min() != null || rule.max() != null) && rule.type() != JsonType.NUMBER && rule.type() != JsonType.INTEGER) {
                problems.add(at + ": 'min' and 'max' apply to number and integer only");
            }
            if (rule.min() != null && rule.max() != null && rule.min() > rule.max()) {
                problems.add(at + ": 'min' is greater than 'max'");
            }
            if (rule.maxLength() != null && (rule.type() != JsonType.STRING || rule.maxLength() < 0)) {
                problems.add(at + ": 'max_length' applies to string only and is at least 0");
            }
        });
        Transform t = transform;
        names("transform.filter_types", t.filterTypes(), problems);
        names("transform.sample", t.sample().keySet(), problems);
        t.sample().forEach((type, rate) -> {
            if (rate == null || rate < 0 || rate > 1) {
                problems.add("transform.sample." + type + ": the kept fraction must be between 0 and 1");
            }
        });
        names("transform.rename", t.rename().keySet(), problems);
        names("transform.rename (targets)", t.rename().values(), problems);
        if (new HashSet<>(t.rename().values()).size() < t.rename().size()) {
            problems.add("transform.rename: two properties are renamed to the same name");
        }
        names("transform.drop", t.drop(), problems);
        names("transform.mask", t.mask(), problems);
        names("transform.hash", t.hash(), problems);
        Set<String> masked = new HashSet<>(t.mask());
        t.hash().stream().filter(masked::contains).forEach(name ->
                problems.add("transform: '" + name + "' is both masked and hashed; choose one"));
        names("transform.tags", t.tags().keySet(), problems);
        t.tags().forEach((key, value) -> {
            if (value == null || value.length() > MAX_NAME_LENGTH) {
                problems.add("transform.tags." + key + ": a tag value is a string of at most " + MAX_NAME_LENGTH + " characters");
            }
        });
        if (alerts.stream().anyMatch(Objects::isNull)) {
            problems.add("alerts: a rule is an object with 'name', 'type', 'threshold' and 'window_minutes'");
            return problems;
        }
        names("alerts", alerts.stream().map(AlertRule::name).toList(), problems);
        names("alerts (types)", alerts.stream().map(AlertRule::type).toList(), problems);
        if (alerts.stream().map(AlertRule::name).distinct().count() < alerts.size()) {
            problems.add("alerts: two rules have the same name");
        }
        for (AlertRule rule : alerts) {
            if (rule.threshold() == null || rule.threshold() < 0) {
                problems.add("alerts." + rule.name() + ": 'threshold' is required, at least 0");
            }
            if (rule.windowMinutes() < 1 || rule.windowMinutes() > MAX_ALERT_WINDOW_MINUTES) {
                problems.add("alerts." + rule.name() + ": 'window_minutes' is between 1 and " + MAX_ALERT_WINDOW_MINUTES);
            }
        }
        return problems;
    }

    private static void names(String at, java.util.Collection<String> names, List<String> problems) {
        if (names.size() > MAX_ENTRIES) {
            problems.add(at + ": at most " + MAX_ENTRIES + " entries");
        }
        for (String name : names) {
            if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
                problems.add(at + ": names are non-empty strings of at most " + MAX_NAME_LENGTH + " characters");
                return;
            }
        }
    }

    /** Jackson's message names the field; its location in the source text means nothing to the sender. */
    private static String describe(JacksonException e) {
        String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                ? mapping.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("")
                : "";
        String message = e.getOriginalMessage();
        int detail = message.indexOf(" (class ");
        message = detail > 0 ? message.substring(0, detail) : message;
        return (path.isEmpty() ? "" : path + ": ") + message;
    }
}

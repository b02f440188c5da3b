package io.freshet.enricher.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.freshet.enricher.quality.Quality;
import io.freshet.enricher.quality.QualityRule;
import io.freshet.eventmodel.tenant.TenantRules;
import io.freshet.eventmodel.tenant.TenantRules.PropertyRule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One version of one tenant's rules, ready to apply to events. Every method is a function of the event alone,
 * so a batch retried after a crash decides exactly as the first try did.
 */
public final class EventRules {

    private final TenantRules.Validation validation;
    private final TenantRules.Transform transform;
    private final Set<String> allowedTypes;
    private final Set<String> filterTypes;
    private final boolean transforms;
    private final MessageDigest saltedSha256;

    EventRules(String tenantId, TenantRules rules) {
        this.validation = rules.validation();
        this.transform = rules.transform();
        this.allowedTypes = Set.copyOf(validation.allowedTypes());
        this.filterTypes = Set.copyOf(transform.filterTypes());
        this.transforms = !transform.rename().isEmpty() || !transform.drop().isEmpty() || !transform.mask().isEmpty()
                || !transform.hash().isEmpty();
        this.saltedSha256 = saltedSha256(tenantId);
    }

    /** The tenant filters this type out on purpose. */
    public boolean filtersOut(String type) {
        return filterTypes.contains(type);
    }

    /** The tenant samples this type and this event is not in the kept fraction. Decided by the event id. */
    public boolean samplesOut(String type, String eventId) {
        Double kept = transform.sample().getOrDefault(type, transform.sample().get("*"));
        if (kept == null) {
            return false;
        }
        // the id's hash spread over [0, 1): the same event is kept or not on every try and every replay
        long spread = (eventId.hashCode() * 0x9E3779B97F4A7C15L) >>> 11;
        return spread / (double) (1L << 53) >= kept;
    }

    /** Checks the event as the client sent it; adds a reason for each failed check to {@code violations}. */
    public Quality check(String type, JsonNode properties, List<String> violations) {
        Quality quality = Quality.NONE;
        if (!allowedTypes.isEmpty()) {
            boolean allowed = allowedTypes.contains(type);
            quality = quality.with(QualityRule.ALLOWED_TYPES, allowed);
            if (!allowed) {
                violations.add("event type '" + type + "' is not one of the tenant's allowed types");
            }
        }
        List<String> required = validation.required().get(type);
        if (required != null) {
            List<String> missing = required.stream().filter(name -> !present(properties.get(name))).toList();
            quality = quality.with(QualityRule.REQUIRED, missing.isEmpty());
            if (!missing.isEmpty()) {
                violations.add("'" + type + "' requires properties " + missing + ", missing");
            }
        }
        for (Map.Entry<String, PropertyRule> entry : validation.properties().entrySet()) {
            JsonNode value = properties.get(entry.getKey());
            if (present(value)) {
                quality = checkProperty(entry.getKey(), value, entry.getValue(), quality, violations);
            }
        }
        return quality;
    }

    private static Quality checkProperty(String name, JsonNode value, PropertyRule rule, Quality quality,
                                         List<String> violations) {
        boolean typed = rule.type().matches(value);
        quality = quality.with(QualityRule.TYPE, typed);
        if (!typed) {
            violations.add("property '" + name + "' must be " + rule.type().label() + ", was " + value.getNodeType().name().toLowerCase());
            return quality;
        }
        if (rule.min() != null || rule.max() != null) {
            double number = value.asDouble();
            boolean inRange = (rule.min() == null || number >= rule.min()) && (rule.max() == null || number <= rule.max());
            quality = quality.with(QualityRule.RANGE, inRange);
            if (!inRange) {
                violations.add("property '" + name + "' is " + value + ", outside [" + bound(rule.min()) + ", " + bound(rule.max()) + "]");
            }
        }
        if (rule.maxLength() != null) {
            boolean fits = value.textValue().length() <= rule.maxLength();
            quality = quality.with(QualityRule.MAX_LENGTH, fits);
            if (!fits) {
                violations.add("property '" + name + "' is longer than " + rule.maxLength() + " characters");
            }
        }
        return quality;
    }

    /** The properties as the tenant wants them stored: renamed, dropped, masked, hashed; the input is left as it was. */
    public ObjectNode transform(ObjectNode properties) {
        if (!transforms) {
            return properties;
        }
        ObjectNode out = properties.deepCopy();
        transform.rename().forEach((from, to) -> {
            JsonNode value = out.remove(from);
            if (value != null) {
                out.set(to, value);
            }
        });
        out.remove(transform.drop());
        for (String name : transform.mask()) {
            JsonNode value = out.get(name);
            if (present(value)) {
                out.set(name, TextNode.valueOf(mask(value)));
            }
        }
        for (String name : transform.hash()) {
            JsonNode value = out.get(name);
            if (present(value)) {
                out.set(name, TextNode.valueOf(hash(value)));
            }
        }
        return out;
    }

    public Map<String, String> tags() {
        return transform.tags();
    }

    /** An e-mail keeps its first letter and its domain; anything else its last four characters when long. */
    static String mask(JsonNode value) {
        String text = value.isTextual() ? value.textValue() : value.toString();
        int at = text.indexOf('@');
        if (at > 0) {
            return text.charAt(0) + "***" + text.substring(at);
        }
        return text.length() > 8 ? "***" + text.substring(text.length() - 4) : "***";
    }

    /** Salted with the tenant, so equal values join within a tenant and not across tenants. */
    String hash(JsonNode value) {
        String text = value.isTextual() ? value.textValue() : value.toString();
        try {
            MessageDigest sha256 = (MessageDigest) saltedSha256.clone();
            return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The JDK's SHA-256 can be cloned", e);
        }
    }

    /** SHA-256 already fed with the tenant's salt; each value hashes a clone of it. */
    private static MessageDigest saltedSha256(String tenantId) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(tenantId.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            return sha256;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull();
    }

    private static String bound(Double bound) {
        return bound == null ? "-" : bound % 1 == 0 ? String.valueOf(bound.longValue()) : bound.toString();
    }
}

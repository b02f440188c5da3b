package io.freshet.analytics.stats;

import io.freshet.analytics.endpoint.ApiException;
import jakarta.ws.rs.core.Response.Status;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What top values are counted by: a column of freshet.events, or a top-level property of the events (its name
 * is a bound parameter, never part of the SQL text).
 */
public record Dimension(String name, String expression, String property) {

    private static final Pattern PROPERTY = Pattern.compile("[A-Za-z0-9_.$-]{1,128}");

    public static Dimension of(String value) {
        if (value == null) {
            throw invalid();
        }
        if (value.startsWith("property.")) {
            String property = value.substring("property.".length());
            if (!PROPERTY.matcher(property).matches()) {
                throw new ApiException(Status.BAD_REQUEST, "invalid_dimension", "A property name is 1 to 128 letters, digits or _.$-");
            }
            return new Dimension(value, "JSONExtractString(properties, {property:String})", property);
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "type" -> new Dimension("type", "type", null);
            case "browser" -> new Dimension("browser", "browser", null);
            case "os" -> new Dimension("os", "os", null);
            case "device_class" -> new Dimension("device_class", "device_class", null);
            case "user_id" -> new Dimension("user_id", "user_id", null);
            default -> throw invalid();
        };
    }

    private static ApiException invalid() {
        return new ApiException(Status.BAD_REQUEST, "invalid_dimension",
                "'dimension' is type, browser, os, device_class, user_id or property.<name>");
    }
}

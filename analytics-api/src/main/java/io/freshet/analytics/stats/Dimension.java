package io.freshet.analytics.stats;

import io.freshet.analytics.endpoint.AnalyticsException;
import jakarta.ws.rs.core.Response.Status;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What top values are counted by: a column of freshet.events, or a top-level property of the events (its name
 * is a bound parameter, never part of the SQL text).
 *
 * @param property the property's name; null for a column
 */
public record Dimension(String name, String property) {

    private static final Pattern PROPERTY = Pattern.compile("[A-Za-z0-9_.$-]{1,128}");

    public static Dimension of(String value) {
        if (value == null) {
            throw invalid();
        }
        if (value.startsWith("property.")) {
            String property = value.substring("property.".length());
            if (!PROPERTY.matcher(property).matches()) {
                throw new AnalyticsException(Status.BAD_REQUEST, "invalid_dimension", "A property name is 1 to 128 letters, digits or _.$-");
            }
            return new Dimension(value, property);
        }
        String column = value.toLowerCase(Locale.ROOT);
        return switch (column) {
            case "type", "browser", "os", "device_class", "user_id" -> new Dimension(column, null);
            default -> throw invalid();
        };
    }

    /** The SQL expression of its values: the column, or the property's value (bound as {@code property}). */
    public String expression() {
        return property == null ? name : "JSONExtractString(properties, {property:String})";
    }

    private static AnalyticsException invalid() {
        return new AnalyticsException(Status.BAD_REQUEST, "invalid_dimension",
                "'dimension' is type, browser, os, device_class, user_id or property.<name>");
    }
}

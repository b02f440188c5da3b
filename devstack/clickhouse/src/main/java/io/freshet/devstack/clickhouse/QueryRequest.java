package io.freshet.devstack.clickhouse;

import com.sun.net.httpserver.Headers;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What an HTTP request asks of the engine besides the statement itself, read the way ClickHouse's
 * HTTP interface reads it: {@code query}, {@code database} / {@code X-ClickHouse-Database},
 * {@code default_format} / {@code X-ClickHouse-Format}, {@code query_id}, {@code param_<name>} for
 * {@code {name:Type}} placeholders, and every other URL parameter as a setting for this query.
 */
record QueryRequest(String urlQuery, String database, String defaultFormat, String queryId,
                    Map<String, String> settings, Map<String, String> parameters) {

    static final String DEFAULT_FORMAT = "TabSeparated";

    /**
     * URL parameters that are not settings. ClickHouse reads them in the HTTP layer; here sessions,
     * users and buffering have no meaning (no request sees another's settings, results are complete before
     * the first byte is sent), so they are accepted and ignored.
     */
    private static final Set<String> NOT_SETTINGS = Set.of("compress", "decompress", "user", "password",
            "quota_key", "query_id", "stacktrace", "role", "buffer_size", "wait_end_of_query", "session_id",
            "session_timeout", "session_check", "client_protocol_version", "close_session", "database",
            "default_format", "query");

    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    static QueryRequest of(String method, String rawQueryString, Headers headers, String version) throws ClickHouseError {
        Map<String, String> url = decode(rawQueryString);
        if (isOn(url.get("compress")) || isOn(url.get("decompress"))) {
            throw ClickHouseError.of(ClickHouseError.NOT_IMPLEMENTED, "NOT_IMPLEMENTED",
                    "This endpoint does not speak ClickHouse's native compression (compress/decompress=1): "
                            + "turn client compression off", version);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : url.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith("param_")) {
                parameters.put(name.substring("param_".length()), entry.getValue());
            } else if (!name.isEmpty() && !NOT_SETTINGS.contains(name)) {
                if (!SETTING_NAME.matcher(name).matches()) {
                    throw ClickHouseError.of(ClickHouseError.UNKNOWN_SETTING, "UNKNOWN_SETTING",
                            "Unknown setting '" + name + "'", version);
                }
                settings.put(name, entry.getValue());
            }
        }
        // A GET must not change data, as on a real server; readonly=2 still allows changing settings.
        if (method.equals("GET") && !settings.containsKey("readonly")) {
            settings.put("readonly", "2");
        }
        // readonly=1 forbids SET itself, so it has to come last.
        String readonly = settings.remove("readonly");
        if (readonly != null) {
            settings.put("readonly", readonly);
        }
        String queryId = firstOf(url.get("query_id"), headers.getFirst("X-ClickHouse-Query-Id"), UUID.randomUUID().toString());
        return new QueryRequest(
                url.get("query"),
                firstOf(url.get("database"), headers.getFirst("X-ClickHouse-Database"), null),
                firstOf(url.get("default_format"), headers.getFirst("X-ClickHouse-Format"), DEFAULT_FORMAT),
                queryId,
                Collections.unmodifiableMap(settings),
                Collections.unmodifiableMap(parameters));
    }

    /** The time zone the results are in: the request's session_timezone, else the sessions' default. */
    String timeZone() {
        String requested = settings.get("session_timezone");
        return requested == null || requested.isBlank() ? ChdbEngine.SESSION_TIME_ZONE : requested;
    }

    /**
     * What a session must have been prepared with to serve this request: its database, and its settings unless the
     * statement carries them itself. Requests with the same key share a kept session.
     */
    String sessionKey(boolean settingsInStatement) {
        return (database == null ? "" : database) + (settingsInStatement ? "" : "\n" + assignments());
    }

    /** The settings as a SETTINGS clause for the statement itself, with a leading space; empty for none. */
    String settingsClause() {
        return settings.isEmpty() ? "" : " SETTINGS " + assignments() + " ";
    }

    /**
     * Applies the database, and the settings unless the statement carries them, to a fresh session; returns the
     * engine's error text, or null.
     */
    String prepare(ChdbSession session, boolean settingsInStatement) {
        if (!settingsInStatement && !settings.isEmpty()) {
            String error = session.executeControl("SET " + assignments());
            if (error != null) {
                return error;
            }
        }
        if (database != null && !database.isEmpty() && !database.equals("default")) {
            return session.executeControl("USE " + quoteIdentifier(database));
        }
        return null;
    }

    private String assignments() {
        StringJoiner joined = new StringJoiner(", ");
        settings.forEach((name, value) -> joined.add(name + " = " + quoteString(value)));
        return joined.toString();
    }

    private static Map<String, String> decode(String rawQueryString) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQueryString == null || rawQueryString.isEmpty()) {
            return params;
        }
        for (String pair : rawQueryString.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static boolean isOn(String flag) {
        return flag != null && (flag.equals("1") || flag.equalsIgnoreCase("true"));
    }

    private static String firstOf(String first, String second, String fallback) {
        if (first != null && !first.isEmpty()) {
            return first;
        }
        return second != null && !second.isEmpty() ? second : fallback;
    }

    /** A setting value as a string literal: the engine converts it to the setting's type, as for URL settings. */
    static String quoteString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static String quoteIdentifier(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }
}

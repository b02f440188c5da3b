package io.freshet.devstack.clickhouse;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed statement as ClickHouse's HTTP interface reports it: the numeric code (also sent as
 * {@code X-ClickHouse-Exception-Code}), the text {@code Code: N. DB::Exception: ... (NAME) (version V)},
 * and the HTTP status ClickHouse picks for that error. Clients key on the code and the
 * {@code N. DB::Exception:} marker to raise a server exception.
 */
final class ClickHouseError extends Exception {

    static final int SYNTAX_ERROR = 62;
    static final int NOT_IMPLEMENTED = 48;
    static final int UNKNOWN_SETTING = 115;
    static final int STD_EXCEPTION = 1001;

    private static final Pattern CODE = Pattern.compile("Code: (\\d+)\\.");
    private static final Pattern NAME = Pattern.compile("\\(([A-Z][A-Z0-9_]+)\\)");

    /** The statuses ClickHouse's HTTPHandler maps error names to; anything else is 500. */
    private static final Map<String, Integer> STATUS_BY_NAME = statusByName();

    private final int code;
    private final String text;
    private final int httpStatus;

    private ClickHouseError(int code, String text, int httpStatus) {
        super(text, null, false, false);
        this.code = code;
        this.text = text;
        this.httpStatus = httpStatus;
    }

    /** An error the endpoint itself raises, worded as the server would word it. */
    static ClickHouseError of(int code, String name, String message, String version) {
        String text = "Code: " + code + ". DB::Exception: " + message + ". (" + name + ")";
        return new ClickHouseError(code, withVersion(text, version), STATUS_BY_NAME.getOrDefault(name, 500));
    }

    /** Reads the engine's error text; text without a code is reported as a std::exception, as ClickHouse does. */
    static ClickHouseError fromEngine(String engineText, String version) {
        String text = engineText.strip();
        if (text.startsWith("Error: ")) {
            text = text.substring("Error: ".length());
        }
        Matcher code = CODE.matcher(text);
        if (!code.find()) {
            return of(STD_EXCEPTION, "STD_EXCEPTION", text, version);
        }
        String name = null;
        Matcher names = NAME.matcher(text);
        while (names.find()) {
            name = names.group(1);
        }
        int status = name == null ? 500 : STATUS_BY_NAME.getOrDefault(name, 500);
        return new ClickHouseError(Integer.parseInt(code.group(1)), withVersion(text, version), status);
    }

    private static String withVersion(String text, String version) {
        return text.contains("(version ") ? text : text + " (version " + version + ")";
    }

    int code() {
        return code;
    }

    /** The response body: the text and a newline, as the server sends it. */
    String body() {
        return text + "\n";
    }

    int httpStatus() {
        return httpStatus;
    }

    private static Map<String, Integer> statusByName() {
        Map<String, Integer> status = new HashMap<>();
        status.put("REQUIRED_PASSWORD", 401);
        for (String name : new String[] {"UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE"}) {
            status.put(name, 403);
        }
        for (String name : new String[] {"BAD_ARGUMENTS", "CANNOT_COMPILE_REGEXP", "CANNOT_PARSE_TEXT",
                "CANNOT_PARSE_ESCAPE_SEQUENCE", "CANNOT_PARSE_QUOTED_STRING", "CANNOT_PARSE_DATE",
                "CANNOT_PARSE_DATETIME", "CANNOT_PARSE_NUMBER", "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
                "CANNOT_PARSE_IPV4", "CANNOT_PARSE_IPV6", "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
                "CANNOT_PARSE_UUID", "DUPLICATE_COLUMN", "ILLEGAL_COLUMN", "UNKNOWN_ELEMENT_IN_AST",
                "UNKNOWN_TYPE_OF_AST_NODE", "THERE_IS_NO_COLUMN", "TOO_DEEP_AST", "TOO_BIG_AST",
                "UNEXPECTED_AST_STRUCTURE", "SYNTAX_ERROR", "INCORRECT_DATA", "TYPE_MISMATCH",
                "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE"}) {
            status.put(name, 400);
        }
        for (String name : new String[] {"UNKNOWN_TABLE", "UNKNOWN_FUNCTION", "UNKNOWN_IDENTIFIER",
                "UNKNOWN_TYPE", "UNKNOWN_STORAGE", "UNKNOWN_DATABASE", "UNKNOWN_SETTING",
                "UNKNOWN_DIRECTION_OF_SORTING", "UNKNOWN_AGGREGATE_FUNCTION", "UNKNOWN_FORMAT",
                "UNKNOWN_DATABASE_ENGINE", "UNKNOWN_TYPE_OF_QUERY", "UNKNOWN_ROLE"}) {
            status.put(name, 404);
        }
        status.put("QUERY_IS_TOO_LARGE", 413);
        status.put("NOT_IMPLEMENTED", 501);
        status.put("SOCKET_TIMEOUT", 503);
        status.put("CANNOT_OPEN_FILE", 503);
        status.put("CANNOT_SCHEDULE_TASK", 503);
        status.put("HTTP_LENGTH_REQUIRED", 411);
        status.put("TIMEOUT_EXCEEDED", 408);
        return Map.copyOf(status);
    }
}

package io.freshet.analytics.admin;

import io.freshet.analytics.admin.SourceAdminResource.DatabaseRequest;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.RefusedHostException;
import io.freshet.eventmodel.tenant.SourceHostPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.time.Instant;
import java.util.List;

/**
 * A database source as an admin asks for it, checked before it is saved: each setting's form, no control character
 * anywhere (a CR or LF reaches the sources service's connection settings and logs), and a host the source may
 * connect to ({@link SourceHostPolicy}). Every refusal is a 400 naming the field.
 */
@ApplicationScoped
public class DatabaseSourceChecks {

    static final int MAX_TABLES = 100;

    private final SourceHostPolicy hosts;

    public DatabaseSourceChecks(SourceHostPolicy hosts) {
        this.hosts = hosts;
    }

    /** The source to save, with this replication slot; the password still in clear (TenantStore encrypts it). */
    DatabaseSource checked(String name, DatabaseRequest request, String slot, Instant now) {
        if (request == null) {
            throw invalid("the body must be a JSON object with host, port, database, user, password and tables");
        }
        withoutControlCharacters("host", request.host());
        withoutControlCharacters("database", request.database());
        withoutControlCharacters("user", request.user());
        withoutControlCharacters("password", request.password());
        if (request.tables() != null) {
            request.tables().forEach(table -> withoutControlCharacters("tables", table));
        }
        if (request.host() == null || !request.host().matches("[A-Za-z0-9.-]{1,253}")) {
            throw invalid("'host' must be a host name or IP address");
        }
        int port = request.port() == null ? 5432 : request.port();
        if (port < 1 || port > 65535) {
            throw invalid("'port' must be between 1 and 65535");
        }
        if (request.database() == null || !request.database().matches("[A-Za-z0-9_$-]{1,63}")) {
            throw invalid("'database' must be a PostgreSQL database name");
        }
        if (request.user() == null || request.user().isBlank() || request.user().length() > 63) {
            throw invalid("'user' must be a PostgreSQL role with the REPLICATION attribute");
        }
        if (request.password() == null || request.password().length() > 1024) {
            throw invalid("'password' is required (at most 1024 characters)");
        }
        List<String> tables = request.tables();
        if (tables == null || tables.isEmpty() || tables.size() > MAX_TABLES
                || !tables.stream().allMatch(t -> t != null && DatabaseSource.TABLE_PATTERN.matcher(t).matches())) {
            throw invalid("'tables' must list 1 to " + MAX_TABLES + " tables as schema.table, e.g. [\"public.orders\"]");
        }
        try {
            hosts.check(request.host(), port);
        } catch (RefusedHostException e) {
            throw new AnalyticsException(Status.BAD_REQUEST, "source_host_refused", e.getMessage());
        }
        return new DatabaseSource(name, request.host(), port, request.database(), request.user(), request.password(), null,
                tables.stream().distinct().toList(), Boolean.TRUE.equals(request.snapshot()), now, slot);
    }

    /** C0 and C1 controls (CR, LF, NUL, ESC...) and the Unicode line and paragraph separators. */
    private static void withoutControlCharacters(String field, String value) {
        if (value != null && value.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            throw invalid("'" + field + "' must not hold control characters (such as CR or LF)");
        }
    }

    static AnalyticsException invalid(String message) {
        return new AnalyticsException(Status.BAD_REQUEST, "invalid_source", message);
    }
}

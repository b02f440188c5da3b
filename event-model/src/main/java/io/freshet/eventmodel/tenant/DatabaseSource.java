package io.freshet.eventmodel.tenant;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A tenant's PostgreSQL database whose changes the sources service turns into events ({@code db.<table>.<insert|update|delete>}).
 * The password is stored as given, like a Kafka Connect connector's configuration: freshet.tenants must be readable
 * by Freshet's services only. The admin API never shows it.
 *
 * @param name     names the source within its tenant ({@link #NAME_PATTERN})
 * @param tables   the captured tables, {@code schema.table}
 * @param snapshot whether the rows already there are read first (as {@code db.<table>.snapshot} events)
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
public record DatabaseSource(String name, String host, int port, String database, String user, String password,
                             List<String> tables, boolean snapshot, Instant createdAt) {

    public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
    public static final Pattern TABLE_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}\\.[A-Za-z_][A-Za-z0-9_$]{0,62}");
    /** PostgreSQL's limit on the name of a replication slot or publication. */
    private static final int MAX_IDENTIFIER = 63;

    public DatabaseSource {
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    /**
     * The name of its replication slot and publication in the tenant's database, the same on every start: the slot
     * keeps the changes not yet read, so a restarted engine goes on where its Kafka offsets say.
     */
    public String slotName(String tenantId) {
        String slot = ("freshet_" + tenantId + "_" + name).replace('-', '_');
        if (slot.length() <= MAX_IDENTIFIER) {
            return slot;
        }
        // cut, with 8 hex digits of the whole name's hash so that two long names stay apart
        return slot.substring(0, MAX_IDENTIFIER - 9) + "_" + ApiKeys.hash(tenantId + "/" + name).substring(0, 8);
    }

    /** Everything but the password: what changes how the source is read, and so when its engine restarts. */
    public DatabaseSource withoutPassword() {
        return new DatabaseSource(name, host, port, database, user, null, tables, snapshot, createdAt);
    }
}

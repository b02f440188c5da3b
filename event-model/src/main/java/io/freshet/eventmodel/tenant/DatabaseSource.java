package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A tenant's PostgreSQL database whose changes the sources service turns into events ({@code db.<table>.<insert|update|delete>}).
 * Its password is kept encrypted ({@link SourcePasswords}); the admin API never shows it.
 *
 * @param name              names the source within its tenant ({@link #NAME_PATTERN})
 * @param password          the password in clear: only in records stored before passwords were encrypted (still read,
 *                          encrypted on the tenant's next save)
 * @param encryptedPassword the password as {@link SourcePasswords} encrypted it
 * @param tables            the captured tables, {@code schema.table}
 * @param snapshot          whether the rows already there are read first (as {@code db.<table>.snapshot} events)
 * @param slot              its replication slot, publication and engine name ({@link #slotName}), fixed when the source
 *                          was created; absent in records stored before it was recorded
 */
@RegisterForReflection // Jackson (de)serializes it outside REST (Kafka JSON): native keeps its accessors
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseSource(String name, String host, int port, String database, String user, String password,
                             String encryptedPassword, List<String> tables, boolean snapshot, Instant createdAt,
                             String slot) {

    public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
    public static final Pattern TABLE_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}\\.[A-Za-z_][A-Za-z0-9_$]{0,62}");
    /** PostgreSQL's limit on the name of a replication slot or publication. */
    private static final int MAX_IDENTIFIER = 63;
    /** 64 bits of the digest: no tenant can pick names whose slot is another's. */
    private static final int DIGEST_CHARS = 16;

    public DatabaseSource {
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    /**
     * The name of its replication slot and publication in the tenant's database, the same on every start: the slot
     * keeps the changes not yet read, so a restarted engine goes on where its Kafka offsets say. The engine's name,
     * its topic prefix and the key of its offsets are this name too.
     */
    public String slotName(String tenantId) {
        return slot != null ? slot : legacySlotName(tenantId);
    }

    /**
     * The slot of a new source: readable ({@code freshet_<tenant>_<name>}, cut to fit) and unique per tenant and
     * name whatever they are, by the digest of the exact {@code tenant/name} ('/' is in neither). Without the digest,
     * tenant {@code a-b} with source {@code c} and tenant {@code a} with source {@code b-c} had the same slot, and one
     * capture went on from the other's position.
     */
    public static String newSlotName(String tenantId, String name) {
        String readable = ("freshet_" + tenantId + "_" + name).replace('-', '_');
        int room = MAX_IDENTIFIER - 1 - DIGEST_CHARS;
        return readable.substring(0, Math.min(readable.length(), room)) + "_"
                + ApiKeys.hash(tenantId + "/" + name).substring(0, DIGEST_CHARS);
    }

    /** The slot of a source created before slots were recorded: it still holds that source's unread changes. */
    private String legacySlotName(String tenantId) {
        String legacy = ("freshet_" + tenantId + "_" + name).replace('-', '_');
        if (legacy.length() <= MAX_IDENTIFIER) {
            return legacy;
        }
        return legacy.substring(0, MAX_IDENTIFIER - 9) + "_" + ApiKeys.hash(tenantId + "/" + name).substring(0, 8);
    }

    /** The same source with this encrypted password and none in clear. */
    public DatabaseSource withEncryptedPassword(String encrypted) {
        return new DatabaseSource(name, host, port, database, user, null, encrypted, tables, snapshot, createdAt, slot);
    }
}

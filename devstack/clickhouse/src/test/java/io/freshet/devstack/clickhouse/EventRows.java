package io.freshet.devstack.clickhouse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Rows of the test table {@code (tenant_id String, event_id UUID, event_time DateTime64(3, 'UTC'), n UInt32)}
 * encoded in RowBinary by hand, as a sink writes them: little-endian numbers, LEB128 string lengths,
 * a UUID as its high then its low 64 bits.
 */
final class EventRows {

    static final String COLUMNS = "tenant_id String, event_id UUID, event_time DateTime64(3, 'UTC'), n UInt32";

    private final ByteArrayOutputStream out;
    private final ByteBuffer scratch = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);

    EventRows(int expectedRows) {
        out = new ByteArrayOutputStream(expectedRows * 40);
    }

    EventRows add(String tenant, UUID eventId, Instant time, long n) {
        byte[] tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
        int length = tenantBytes.length;
        do {
            int b = length & 0x7F;
            length >>>= 7;
            out.write(length == 0 ? b : b | 0x80);
        } while (length != 0);
        out.writeBytes(tenantBytes);
        scratch.clear();
        scratch.putLong(eventId.getMostSignificantBits()).putLong(eventId.getLeastSignificantBits());
        out.write(scratch.array(), 0, 16);
        scratch.clear();
        scratch.putLong(time.toEpochMilli()).putInt((int) n);
        out.write(scratch.array(), 0, 12);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}

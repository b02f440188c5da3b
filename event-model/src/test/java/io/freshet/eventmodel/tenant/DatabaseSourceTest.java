package io.freshet.eventmodel.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replication slot names: one per tenant and source whatever their names, and a source's slot kept forever. */
class DatabaseSourceTest {

    @Test
    void namesThatMadeTheSameSlotNowMakeTwo() {
        // both were freshet_acc_slot_prod_db: one capture went on from the other's position
        String first = DatabaseSource.newSlotName("acc-slot", "prod-db");
        String second = DatabaseSource.newSlotName("acc-slot-prod", "db");

        assertNotEquals(first, second);
        assertTrue(first.startsWith("freshet_acc_slot_prod_db_"), first);
        assertNotEquals(DatabaseSource.newSlotName("a-b", "c"), DatabaseSource.newSlotName("a", "b-c"));
        assertNotEquals(DatabaseSource.newSlotName("a-b", "c"), DatabaseSource.newSlotName("a_b", "c"));
    }

    @Test
    void aSlotIsAPostgresIdentifierWhateverTheNames() {
        String longTenant = "t".repeat(63);
        String slot = DatabaseSource.newSlotName(longTenant, "s".repeat(31));

        assertEquals(63, slot.length());
        assertTrue(slot.matches("[a-z0-9_]{1,63}"), slot);
        assertNotEquals(slot, DatabaseSource.newSlotName(longTenant, "s".repeat(30) + "x"), "cut names stay apart");
        assertEquals(slot, DatabaseSource.newSlotName(longTenant, "s".repeat(31)), "the same on every call");
    }

    @Test
    void aSourceKeepsTheSlotItWasCreatedWith() {
        String slot = DatabaseSource.newSlotName("acme", "shop");

        assertEquals(slot, source(slot).slotName("acme"));
    }

    @Test
    void aSourceStoredBeforeSlotsWereRecordedKeepsItsSlot() throws Exception {
        // as stored before: no slot, the password in clear
        var json = new ObjectMapper().registerModule(new JavaTimeModule());
        DatabaseSource legacy = json.readValue("""
                {"name":"prod-db","host":"db.example.com","port":5432,"database":"shop","user":"cdc","password":"s3cret",
                 "tables":["public.orders"],"snapshot":false,"createdAt":"2026-01-01T00:00:00Z"}""", DatabaseSource.class);

        assertEquals("freshet_acc_slot_prod_db", legacy.slotName("acc-slot"));
        String longTenant = "t".repeat(63);
        assertEquals("freshet_" + "t".repeat(46) + "_" + ApiKeys.hash(longTenant + "/s").substring(0, 8),
                new DatabaseSource("s", "h", 5432, "d", "u", "p", null, List.of(), false, null, null).slotName(longTenant),
                "a long one, cut as before");
        assertEquals("s3cret", legacy.password());
    }

    private static DatabaseSource source(String slot) {
        return new DatabaseSource("shop", "db.example.com", 5432, "shop", "cdc", null, "v1:x:y", List.of("public.orders"),
                false, Instant.parse("2026-01-01T00:00:00Z"), slot);
    }
}

package io.freshet.router.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class ClickHouseMigrationsTest {

    @Test
    void migrationsAreListedInVersionOrderAndAllExist() {
        List<String> listed = ClickHouseMigrations.MIGRATIONS;
        assertEquals(listed.stream().sorted().toList(), listed, "applied in the order of their version");
        assertEquals(listed.size(), listed.stream().map(m -> m.substring(0, 4)).distinct().count(), "versions are unique");
        listed.forEach(m -> assertNotNull(getClass().getResource("/db/clickhouse/" + m), m + " is on the classpath"));
    }
}

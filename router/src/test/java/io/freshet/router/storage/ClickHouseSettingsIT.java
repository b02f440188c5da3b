package io.freshet.router.storage;

import io.freshet.eventmodel.stack.ServiceInstance;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A router pointed at no ClickHouse stops at start with what to fix, instead of retrying without end. */
class ClickHouseSettingsIT {

    @Test
    void aWrongClickHouseUrlStopsTheStartWithAClearMessage() throws Exception {
        String output = ServiceInstance.failedStart("router", "wrong-clickhouse", 18092, "ROUTER_PORT",
                Map.of("CLICKHOUSE_URL", "http://127.0.0.1:9"));
        assertTrue(output.contains("Cannot use ClickHouse at http://127.0.0.1:9 as user 'default'")
                && output.contains("Check CLICKHOUSE_URL, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD"), output);
    }
}

package io.freshet.enricher.processing;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A tenant's first events, sent the moment it is created: the gateway knows the tenant before the enricher's
 * registry may, and the enricher waits for its view to catch up rather than dead-letter them as unknown.
 */
class NewTenantIT {

    private static final int EVENTS = 1000;

    @Test
    void aJustCreatedTenantsFirstThousandEventsAreAllStored() {
        TestTenant tenant = TestTenants.create("newborn");
        // the admin API answers once the analytics API's own registry has the tenant: the gateway's may still lag
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            Ingest.send(tenant, batch(0, 100));
            return true;
        });
        for (int from = 100; from < EVENTS; from += 100) {
            Ingest.send(tenant, batch(from, from + 100));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant.id()));
        assertEquals(0, Metrics.sum(LocalStack.enricherUrl(), "freshet_enricher_events_total",
                "tenant=\"" + tenant.id() + "\"", "outcome=\"dead_lettered\""), "none of its events was dead-lettered");
    }

    private static String batch(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "{\"type\":\"first.steps\",\"user_id\":\"u" + i % 13 + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }
}

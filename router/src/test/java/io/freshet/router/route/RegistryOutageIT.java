package io.freshet.router.route;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A router started while the schema registry is away cannot read its first records: its lanes (SchemaWait) and its
 * routes (RouteFailures) try again until the registry is back, then store and bill every event. Before, the lane's
 * channel and the routes both gave up for good.
 */
class RegistryOutageIT {

    private static final int EVENTS = 500;

    @Test
    void routesStartedWhileTheRegistryIsAwayBillEveryEventOnceItIsBack() throws Exception {
        String tenant = TestTenants.create("registry-outage").id();
        Freshet.kill("router");
        long enriched = enrichedRecords();
        TopicProbe.sendAll(IntStream.range(0, EVENTS).mapToObj(i -> RawEvents.record(tenant, "u" + i % 7,
                UUID.randomUUID().toString(), "registry.outage")).toList());
        await().atMost(Duration.ofSeconds(60)).until(() -> enrichedRecords() >= enriched + EVENTS);
        Freshet.run("down", "registry");
        try {
            // a fresh router, no schema cached, and its first records to read
            Freshet.run("up", "router");
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Metrics.sum(LocalStack.routerUrl(), "freshet_routes_threads_replaced_total") > 0);
        } finally {
            Freshet.run("up", "registry");
        }
        ClickHouseProbe.awaitStoredOnce(tenant, EVENTS);
        await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS, ClickHouseProbe.billedEventsOf(tenant));
    }

    private static long enrichedRecords() {
        return TopicProbe.endOffsets(Topics.ENRICHED).values().stream().mapToLong(Long::longValue).sum();
    }
}

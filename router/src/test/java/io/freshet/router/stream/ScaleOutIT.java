package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.ServiceInstance;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A second router joins while events flow, takes over partitions (of the sink and of the routes), stores and bills
 * some of them, and is killed: the rebalances in both directions leave every event stored and billed once.
 */
class ScaleOutIT {

    private static final int EVENTS = 20_000;

    @Test
    void twoRoutersShareThePartitionsAndHandThemBackWithoutLossOrDoubles() throws Exception {
        String tenant = TestTenants.create("router-scale").id();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> {
                TopicProbe.sendPaced(IntStream.range(0, EVENTS).mapToObj(i -> RawEvents.record(tenant, "u" + i % 101,
                        UUID.randomUUID().toString(), "scale.tested")).toList(), 1000);
                return null;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS / 5);
            try (var second = ServiceInstance.start("router", "scale-2", 18082, "ROUTER_PORT")) {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        Metrics.sum(second.url(), "freshet_sink_rows_total", "table=\"events\"") > 0);
                second.kill();
            }
            sending.get();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant));
        await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS, ClickHouseProbe.billedEventsOf(tenant));
    }
}

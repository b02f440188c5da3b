package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ClickHouse stopped under flow: the router pauses its partitions and keeps the batches; when ClickHouse is back,
 * every event is stored, none twice.
 */
class ClickHouseOutageIT {

    private static final int EVENTS = 2_000;

    @Test
    void eventsSentWhileClickHouseIsDownAreStoredOnceItIsBack() throws Exception {
        String tenant = TestTenants.create("ch-outage").id();
        send(tenant, 0, EVENTS / 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant) == EVENTS / 2);
        Freshet.run("down", "clickhouse");
        try {
            send(tenant, EVENTS / 2, EVENTS);
            await().atMost(Duration.ofSeconds(60)).until(() -> pausedPartitions() > 0);
        } finally {
            Freshet.run("up", "clickhouse");
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.query(
                "SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "'"));
        await().atMost(Duration.ofSeconds(30)).until(() -> pausedPartitions() == 0);
    }

    private static void send(String tenant, int from, int to) throws Exception {
        TopicProbe.sendAll(IntStream.range(from, to)
                .mapToObj(i -> RawEvents.record(tenant, "u" + i % 13, UUID.randomUUID().toString(), "outage.tested")).toList());
    }

    private static double pausedPartitions() {
        return Metrics.sum(LocalStack.routerUrl(), "freshet_sink_paused_partitions");
    }
}

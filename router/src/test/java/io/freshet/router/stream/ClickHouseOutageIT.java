package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ClickHouse stopped for 15 s while events flow: the router pauses its partitions, keeps its batches and moves no
 * offset past a row it has not stored; when ClickHouse is back, every event is stored and billed, none twice.
 */
class ClickHouseOutageIT {

    private static final int EVENTS = 3_300;
    private static final Duration OUTAGE = Duration.ofSeconds(15);

    @Test
    void eventsSentWhileClickHouseIsDownAreStoredOnceItIsBack() throws Exception {
        String tenant = TestTenants.create("ch-outage").id();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> {
                // about 22 s of events, so the outage lies within the flow
                TopicProbe.sendPaced(IntStream.range(0, EVENTS).mapToObj(i -> RawEvents.record(tenant, "u" + i % 13,
                        UUID.randomUUID().toString(), "outage.tested")).toList(), 150);
                return null;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS / 8);
            Freshet.run("down", "clickhouse");
            long down = System.nanoTime();
            try {
                await().atMost(OUTAGE).until(() -> pausedPartitions() > 0);
                Map<TopicPartition, OffsetAndMetadata> whenPaused = SinkGroups.committed(SinkLane.LIVE);
                await().atMost(OUTAGE.multipliedBy(2))
                        .until(() -> Duration.ofNanos(System.nanoTime() - down).compareTo(OUTAGE) >= 0);
                // nothing could be inserted, so no offset moved (while events kept coming); the batch being retried
                // has its range committed as an intent
                assertEquals(whenPaused, SinkGroups.committed(SinkLane.LIVE), "offsets are committed only after their insert");
                assertTrue(whenPaused.values().stream().anyMatch(o -> o.metadata().startsWith("batch:")), whenPaused::toString);
            } finally {
                Freshet.run("up", "clickhouse");
            }
            sending.get();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant));
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS, ClickHouseProbe.billedEventsOf(tenant));
        await().atMost(Duration.ofSeconds(30)).until(() -> pausedPartitions() == 0);
    }

    private static double pausedPartitions() {
        return Metrics.sum(LocalStack.routerUrl(), "freshet_sink_paused_partitions");
    }
}

package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.ServiceInstance;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink's protocol on the real stack, one crash window at a time: with the stack's router stopped, a tenant's
 * events are enriched and wait; a router that halts in the window (as kill -9 would there, FRESHET_SINK_HALT_AT), a
 * rebalance that splits its unfinished batch, a zombie, or an intent only partly committed; then the stack's router
 * again. Each ends with ClickHouse holding every event once and billing each once.
 */
class CrashWindowsIT {

    private static final int EVENTS = 3_000;

    @ParameterizedTest
    @ValueSource(strings = {"after-intent", "after-insert"})
    void aRouterHaltedInEachWindowLeavesEveryEventStoredAndBilledOnce(String window) throws Exception {
        String tenant = waitingEvents("halt-" + window);
        try {
            haltIn(window);
            assertTrue(SinkGroups.committed(SinkLane.LIVE).values().stream().anyMatch(o -> o.metadata().startsWith("batch:")),
                    "the halted router left a manifest in the group's offsets: " + SinkGroups.committed(SinkLane.LIVE));
        } finally {
            Freshet.run("up", "router");
        }
        assertStoredAndBilledOnce(tenant);
    }

    @Test
    void aRebalanceThatSplitsAnUnfinishedBatchLetsEachNewOwnerReFormItWhole() throws Exception {
        String tenant = waitingEvents("split");
        try {
            // one instance owns every partition and halts with the batch inserted, its offsets not moved past it
            haltIn("after-insert");
            try (var first = ServiceInstance.starting("router", "split-1", 18082, "ROUTER_PORT", Map.of());
                 var second = ServiceInstance.starting("router", "split-2", 18084, "ROUTER_PORT", Map.of())) {
                first.awaitReady();
                second.awaitReady();
                ClickHouseProbe.awaitStoredOnce(tenant, EVENTS);
                assertTrue(logOf("split-1").contains("re-forming it") || logOf("split-2").contains("re-forming it"),
                        "a new owner re-formed the halted router's batch");
            }
        } finally {
            Freshet.run("up", "router");
        }
        assertStoredAndBilledOnce(tenant);
    }

    @Test
    void anIntentOnlyPartlyCommittedIsNeverInsertedAndItsCarrierStartsAfresh() throws Exception {
        String tenant = waitingEvents("partial-intent");
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = SinkGroups.committed(SinkLane.LIVE);
            TopicPartition carrier = new TopicPartition(Topics.ENRICHED, 0);
            TopicPartition other = new TopicPartition(Topics.ENRICHED, 1);
            long from = committed.get(carrier).offset();
            long otherFrom = committed.get(other).offset();
            // what a commit that Kafka took for one partition and refused for the other would leave
            String manifest = "batch:0:" + from + "-" + (from + 99) + ",1:" + otherFrom + "-" + (otherFrom + 99);
            SinkGroups.commit(SinkLane.LIVE, Map.of(carrier, new OffsetAndMetadata(from, manifest)));
        } finally {
            Freshet.run("up", "router");
        }
        assertStoredAndBilledOnce(tenant);
    }

    @Test
    void aZombieRouterThatWakesAfterItsSuccessorTookOverMovesNoOffsetBack() throws Exception {
        String tenant = TestTenants.create("zombie").id();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> {
                TopicProbe.sendPaced(events(tenant), 300);
                return null;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant) > 0);
            Freshet.signal("router", "STOP");
            try (var successor = ServiceInstance.start("router", "successor", 18082, "ROUTER_PORT")) {
                // the stopped router's session expires (10 s) and the successor takes its partitions
                await().atMost(Duration.ofSeconds(60)).until(() -> Metrics.sum(successor.url(),
                        "freshet_sink_rows_total", "table=\"events\"") > 0);
                Freshet.signal("router", "CONT");
                sending.get();
                ClickHouseProbe.awaitStoredOnce(tenant, EVENTS);
            } finally {
                Freshet.signal("router", "CONT");
            }
        }
        assertStoredAndBilledOnce(tenant);
    }

    /** The stack's router, started to halt in the window of the sink's protocol: it exits there, as kill -9 would. */
    private static void haltIn(String window) throws Exception {
        ServiceInstance.failedStart("router", LocalStack.INSTANCE_ID, 8082, "ROUTER_PORT", Map.of("FRESHET_SINK_HALT_AT", window));
    }

    private static String logOf(String instance) throws Exception {
        return Files.readString(LocalStack.repositoryRoot().resolve(".freshet/logs/router-" + instance + ".log"));
    }

    /** A tenant whose events were enriched while the stack's router was down (it stays down). */
    private static String waitingEvents(String name) throws Exception {
        String tenant = TestTenants.create(name).id();
        Freshet.kill("router"); // idle: what it stored is stored; a kill saves the graceful stop's seconds
        long before = TopicProbe.endOffsets(Topics.ENRICHED).values().stream().mapToLong(Long::longValue).sum();
        TopicProbe.sendAll(events(tenant));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TopicProbe.endOffsets(Topics.ENRICHED).values().stream().mapToLong(Long::longValue).sum() >= before + EVENTS);
        return tenant;
    }

    private static List<ProducerRecord<String, String>> events(String tenant) {
        return IntStream.range(0, EVENTS).mapToObj(i -> RawEvents.record(tenant, "u" + i % 89, UUID.randomUUID().toString(),
                "crash.window")).toList();
    }

    private static void assertStoredAndBilledOnce(String tenant) {
        ClickHouseProbe.awaitStoredOnce(tenant, EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant), "rows = distinct ids = events sent");
        await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS, ClickHouseProbe.billedEventsOf(tenant), "billed = events sent");
    }
}

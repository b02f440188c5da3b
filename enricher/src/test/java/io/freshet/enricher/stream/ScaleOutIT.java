package io.freshet.enricher.stream;

import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.ServiceInstance;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;

/**
 * Two enricher instances share the raw partitions: a second one joins mid-stream (a rebalance), takes over
 * partitions and enriches, then dies by `kill -9` (another rebalance, after its session times out). Nothing is
 * lost or doubled, and every user keeps one session across the handovers.
 */
class ScaleOutIT {

    private static final int EVENTS = 36_000;

    @Test
    void twoInstancesShareThePartitionsAndRebalancesLoseAndDoubleNothing() throws Exception {
        var flow = new RawEventFlow(TestTenants.create("scale").id(), EVENTS);
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> flow.send(1200));
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.enrichedSoFar() >= EVENTS / 10);
            // its transaction, open when it is killed, holds the enriched topic's readers until it times out: 10 s
            // rather than the default 30 s, for time's sake (nothing of what the test checks depends on it)
            try (var second = ServiceInstance.start("enricher", "scale-2", 18091, "ENRICHER_PORT",
                    Map.of("MP_MESSAGING_OUTGOING_ENRICHMENT_TRANSACTION_TIMEOUT_MS", "10000"))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> enriched(second) > 0);
                second.kill();
            }
            sending.get();
        }
        flow.assertExactlyOnceInOneSessionPerUser();
    }

    private static double enriched(ServiceInstance instance) {
        return Metrics.sum(instance.url(), "freshet_enricher_events_total");
    }
}

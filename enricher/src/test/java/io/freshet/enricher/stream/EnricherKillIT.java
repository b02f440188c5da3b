package io.freshet.enricher.stream;

import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `kill -9` of the enricher, twice, while a known set of raw events flows: afterwards
 * freshet.events.enriched (read_committed) holds every one of them exactly once, and each user's derived session
 * survived the crashes. The sessions changelog starts as an older version made it (a segment a week, so compaction
 * never reached it and each restart read every change ever made); the restarted enricher gives it the spec's config.
 */
class EnricherKillIT {

    private static final int EVENTS = 30_000;
    private static final int KILLS = 2;

    @Test
    void everyEventIsEnrichedExactlyOnceAcrossCrashes() throws Exception {
        var flow = new RawEventFlow(TestTenants.create("kill").id(), EVENTS);
        TopicProbe.setConfig(Topics.ENRICHER_SESSIONS, "segment.ms", "604800000");
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> flow.send(1500));
            for (int kill = 1; kill <= KILLS; kill++) {
                long progress = kill * (long) EVENTS / (KILLS + 1);
                await().atMost(Duration.ofSeconds(90)).until(() -> flow.enrichedSoFar() >= progress);
                Freshet.kill("enricher");
                Freshet.run("up", "enricher");
            }
            sending.get();
        }
        flow.assertExactlyOnceInOneSessionPerUser();
        assertEquals("60000", TopicProbe.config(Topics.ENRICHER_SESSIONS, "segment.ms"),
                "the restarted enricher closes a segment of its sessions changelog each minute, for compaction to clean");
    }
}

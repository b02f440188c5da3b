package io.freshet.router.route;

import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert and billing routes on the real stack. One user's events stay in order through every stage, so the
 * windows are seen in the order they are sent: a window at the threshold (no alert), one over it (one alert, not
 * repeated by the events after the crossing), and one more over it, whose alert shows that all before it were seen.
 */
class RoutesIT {

    private static final int THRESHOLD = 20;

    @Test
    void alertsAreRaisedOncePerWindowAndBillingCountsEveryEvent() throws Exception {
        double updates = Metrics.sum(LocalStack.routerUrl(), "freshet_tenants_updates_total");
        String tenant = TestTenants.create("routes").id();
        TestTenants.setRules(tenant, """
                {"alerts": [{"name": "error-burst", "type": "error.captured", "threshold": %d, "window_minutes": 1}]}
                """.formatted(THRESHOLD));
        // the router has read both tenant updates (this test is their only writer now)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Metrics.sum(LocalStack.routerUrl(), "freshet_tenants_updates_total") >= updates + 2);
        var fromAlerts = TopicProbe.endOffsets(Topics.ALERTS);
        var fromUsage = TopicProbe.endOffsets(Topics.BILLING_USAGE);

        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant atThreshold = minute.minus(2, ChronoUnit.MINUTES).plusSeconds(1);
        Instant over = minute.minus(1, ChronoUnit.MINUTES).plusSeconds(1);
        Instant overAgain = minute.plusSeconds(1);
        List<ProducerRecord<String, String>> events = new ArrayList<>();
        add(events, tenant, "error.captured", THRESHOLD, atThreshold);
        add(events, tenant, "error.captured", THRESHOLD + 5, over);
        add(events, tenant, "page.viewed", 10, over); // another type: not counted by the rule, billed
        add(events, tenant, "error.captured", THRESHOLD + 1, overAgain);
        TopicProbe.sendAll(events);

        List<Alert> alerts = TopicProbe.records(fromAlerts, EnrichedRecords.alerts(),
                r -> tenant.equals(r.key()), 2).stream().map(r -> r.value()).toList();
        assertEquals(List.of(over, overAgain), alerts.stream().map(Alert::getWindowStart)
                .map(t -> t.plusSeconds(1)).toList(), "one alert per window over the threshold, in order");
        for (Alert alert : alerts) {
            assertEquals("error-burst", alert.getRule());
            assertEquals("error.captured", alert.getEventType());
            assertEquals(THRESHOLD + 1, alert.getObserved(), "raised as the count first exceeds the threshold");
            assertEquals(THRESHOLD, alert.getThreshold());
            assertEquals(Duration.ofMinutes(1), Duration.between(alert.getWindowStart(), alert.getWindowEnd()));
        }

        Map<Instant, Long> expected = new LinkedHashMap<>();
        expected.put(atThreshold.truncatedTo(ChronoUnit.MINUTES), (long) THRESHOLD);
        expected.put(over.truncatedTo(ChronoUnit.MINUTES), THRESHOLD + 5 + 10L);
        expected.put(overAgain.truncatedTo(ChronoUnit.MINUTES), THRESHOLD + 1L);
        Map<Instant, BillingUsage> newest = new LinkedHashMap<>();
        TopicProbe.recordsThrough(fromUsage, EnrichedRecords.billingUsage(), r -> tenant.equals(r.key()), found -> {
            found.forEach(r -> newest.put(r.value().getMinuteStart(), r.value()));
            return expected.keySet().stream().allMatch(m -> newest.containsKey(m)
                    && newest.get(m).getEvents() == expected.get(m));
        });
        newest.values().forEach(usage -> assertTrue(usage.getBytes() > usage.getEvents() * 100,
                "bytes are the enriched records' sizes: " + usage));

        // billed in ClickHouse = stored in ClickHouse = sent
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.billedEventsOf(tenant) == events.size()
                && ClickHouseProbe.eventsOf(tenant) == events.size());
    }

    /** Events of one user, so they keep their order through every partitioned stage. */
    private static void add(List<ProducerRecord<String, String>> events, String tenant, String type, int count, Instant receivedAt) {
        for (int i = 0; i < count; i++) {
            events.add(RawEvents.record(tenant, "u1", UUID.randomUUID().toString(), type, receivedAt));
        }
    }
}

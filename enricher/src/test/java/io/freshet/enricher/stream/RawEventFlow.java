package io.freshet.enricher.stream;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.EnrichedRecords;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A known set of raw events of 97 users sent at a steady pace (so crashes and rebalances land mid-stream), and the
 * check that freshet.events.enriched then holds each exactly once, every user in one derived session.
 */
final class RawEventFlow {

    private static final int USERS = 97;

    private final String tenant;
    private final List<String> ids;
    private final Map<TopicPartition, Long> from = TopicProbe.endOffsets(Topics.ENRICHED);

    RawEventFlow(String tenant, int events) {
        this.tenant = tenant;
        this.ids = IntStream.range(0, events).mapToObj(i -> UUID.randomUUID().toString()).toList();
    }

    /** Writes the events, {@code perSecond} of them each second. */
    Void send(int perSecond) throws Exception {
        TopicProbe.sendPaced(IntStream.range(0, ids.size())
                .mapToObj(i -> RawEvents.record(tenant, "u" + (i % USERS), ids.get(i), "flow.tested")).toList(), perSecond);
        return null;
    }

    long enrichedSoFar() {
        Map<TopicPartition, Long> end = TopicProbe.endOffsets(Topics.ENRICHED);
        return end.entrySet().stream().mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
    }

    /** Reads everything enriched since the start and asserts: every event once, no event twice, one session per user. */
    void assertExactlyOnceInOneSessionPerUser() {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Set<String>> sessionsByUser = new HashMap<>();
        TopicProbe.readToEnd(from, EnrichedRecords.deserializer(), Duration.ofSeconds(120), record -> {
            EnrichedEvent event = record.value();
            if (tenant.equals(event.getTenantId())) {
                seen.merge(event.getEventId(), 1, Integer::sum);
                sessionsByUser.computeIfAbsent(event.getUserId(), u -> new HashSet<>()).add(event.getSessionId());
            }
        }, () -> seen.size() >= ids.size());
        assertEquals(Set.copyOf(ids), seen.keySet(), "every event enriched");
        Map<String, Integer> duplicates = seen.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), duplicates, "events enriched more than once");
        Map<String, Set<String>> split = sessionsByUser.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), split, "users whose one session was split: the session state did not survive");
        assertEquals(USERS, sessionsByUser.size());
    }
}

package io.freshet.enricher.session;

import io.freshet.enricher.config.EnricherConfig;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;

/**
 * Sessions for events whose client sent none: a user's session lasts while their events come less than the
 * inactivity gap apart. The state (per user: the session's start and the last event's time) lives by raw
 * partition, since one user's events share one; each batch writes its changes to the compacted
 * freshet.enricher.sessions in the batch's own transaction, so after a crash or a rebalance the partition's
 * next owner restores exactly the state that goes with the committed offsets. Used by the enrichment thread only.
 */
@ApplicationScoped
public class UserSessions {

    /** A user inactive this much longer than the gap is forgotten (and tombstoned): their next event starts anew. */
    private static final Duration FORGET_AFTER_GAP = Duration.ofHours(1);

    private final long gapMillis;
    // assigned and revoked partitions change on the consumer's polling thread, batches are enriched on a worker
    private final Map<Integer, PartitionSessions> byPartition = new ConcurrentHashMap<>();

    public UserSessions(EnricherConfig config) {
        this.gapMillis = config.sessionGap().toMillis();
    }

    /** A user's current session: derived id, its first event's time and the last event's time. */
    record UserSession(String id, long start, long lastSeen) {
        static UserSession startingAt(String userKey, long time) {
            return new UserSession(UUID.nameUUIDFromBytes((userKey + "@" + time).getBytes(StandardCharsets.UTF_8)).toString(),
                    time, time);
        }

        String encode() {
            return start + "," + lastSeen;
        }

        static UserSession decode(String userKey, String value) {
            int comma = value.indexOf(',');
            long start = Long.parseLong(value.substring(0, comma));
            return new UserSession(startingAt(userKey, start).id(), start, Long.parseLong(value.substring(comma + 1)));
        }
    }

    /** One raw partition's users, with what deciding whom to forget needs without a scan. */
    private static final class PartitionSessions {
        final Map<String, UserSession> users = new HashMap<>();
        long newestEvent;
        /** No user was last seen before this: a lower bound, exact after each scan for users to forget. */
        long oldestLastSeen = Long.MAX_VALUE;

        void put(String user, UserSession session) {
            users.put(user, session);
            newestEvent = Math.max(newestEvent, session.lastSeen());
            oldestLastSeen = Math.min(oldestLastSeen, session.lastSeen());
        }
    }

    public boolean knows(int partition) {
        return byPartition.containsKey(partition);
    }

    /** Rebuilds a partition's state from its changelog, read to its end (read_committed). */
    public void restore(int partition, Iterable<ConsumerRecord<String, String>> changelog) {
        PartitionSessions sessions = byPartition.computeIfAbsent(partition, p -> new PartitionSessions());
        for (ConsumerRecord<String, String> record : changelog) {
            if (record.value() == null) {
                sessions.users.remove(record.key());
            } else {
                sessions.put(record.key(), UserSession.decode(record.key(), record.value()));
            }
        }
    }

    /** The partitions moved to another instance: their state is the new owner's now. */
    public void forget(Collection<Integer> partitions) {
        partitions.forEach(byPartition::remove);
    }

    /** Changes made while enriching one batch; they take effect only when the batch commits. */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        private final Map<Integer, Map<String, UserSession>> changes = new HashMap<>();
        private final Map<Integer, Long> oldestAfterForgetting = new HashMap<>();

        /** The session of a user's event at {@code time}, for a partition whose state is restored. */
        public String sessionOf(int partition, String userKey, long time) {
            Map<String, UserSession> changed = changes.computeIfAbsent(partition, p -> new HashMap<>());
            UserSession current = changed.get(userKey);
            if (current == null) {
                current = byPartition.get(partition).users.get(userKey);
            }
            UserSession next;
            if (current == null || Math.abs(time - current.lastSeen()) > gapMillis) {
                next = UserSession.startingAt(userKey, time);
            } else {
                next = new UserSession(current.id(), current.start(), Math.max(current.lastSeen(), time));
            }
            changed.put(userKey, next);
            return next.id();
        }

        /** The changelog records: each changed user's state, and tombstones for users inactive for long. */
        public List<ProducerRecord<String, byte[]>> changelog() {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            changes.forEach((partition, users) -> {
                users.forEach((user, session) -> records.add(new ProducerRecord<>(Topics.ENRICHER_SESSIONS, partition,
                        user, session.encode().getBytes(StandardCharsets.UTF_8))));
                PartitionSessions state = byPartition.get(partition);
                long newestChanged = users.values().stream().mapToLong(UserSession::lastSeen).max().orElse(0);
                long forgetBefore = Math.max(state.newestEvent, newestChanged) - gapMillis - FORGET_AFTER_GAP.toMillis();
                if (state.oldestLastSeen >= forgetBefore) {
                    return; // nobody to forget: no scan
                }
                long oldestKept = users.values().stream().mapToLong(UserSession::lastSeen).min().orElse(Long.MAX_VALUE);
                for (var entry : state.users.entrySet()) {
                    if (users.containsKey(entry.getKey())) {
                        continue;
                    }
                    if (entry.getValue().lastSeen() < forgetBefore) {
                        records.add(new ProducerRecord<>(Topics.ENRICHER_SESSIONS, partition, entry.getKey(), null));
                    } else {
                        oldestKept = Math.min(oldestKept, entry.getValue().lastSeen());
                    }
                }
                oldestAfterForgetting.put(partition, oldestKept);
            });
            return records;
        }

        /** The batch committed: its changes (and forgettings, as written by {@link #changelog()}) become the state. */
        public void commit(List<ProducerRecord<String, byte[]>> changelog) {
            oldestAfterForgetting.forEach((partition, oldest) -> byPartition.get(partition).oldestLastSeen = oldest);
            for (ProducerRecord<String, byte[]> record : changelog) {
                PartitionSessions sessions = byPartition.get(record.partition());
                if (record.value() == null) {
                    sessions.users.remove(record.key());
                } else {
                    sessions.put(record.key(), changes.get(record.partition()).get(record.key()));
                }
            }
        }
    }
}

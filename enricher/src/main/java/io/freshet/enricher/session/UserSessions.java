package io.freshet.enricher.session;

import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final Map<Integer, Map<String, UserSession>> byPartition = new HashMap<>();
    private final Map<Integer, Long> newestEventByPartition = new HashMap<>();

    public UserSessions(@ConfigProperty(name = "freshet.enricher.session-gap") Duration gap) {
        this.gapMillis = gap.toMillis();
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

    public boolean knows(int partition) {
        return byPartition.containsKey(partition);
    }

    /** Rebuilds a partition's state from its changelog, read to its end (read_committed). */
    public void restore(int partition, Iterable<ConsumerRecord<String, String>> changelog) {
        Map<String, UserSession> sessions = byPartition.computeIfAbsent(partition, p -> new HashMap<>());
        for (ConsumerRecord<String, String> record : changelog) {
            if (record.value() == null) {
                sessions.remove(record.key());
            } else {
                UserSession session = UserSession.decode(record.key(), record.value());
                sessions.put(record.key(), session);
                newestEventByPartition.merge(partition, session.lastSeen(), Math::max);
            }
        }
    }

    /** The partitions moved to another instance: their state is the new owner's now. */
    public void forget(Collection<Integer> partitions) {
        partitions.forEach(p -> {
            byPartition.remove(p);
            newestEventByPartition.remove(p);
        });
    }

    /** Changes made while enriching one batch; they take effect only when the batch commits. */
    public Batch batch() {
        return new Batch();
    }

    public final class Batch {
        private final Map<Integer, Map<String, UserSession>> changes = new HashMap<>();

        /** The session of a user's event at {@code time}, for a partition whose state is restored. */
        public String sessionOf(int partition, String userKey, long time) {
            Map<String, UserSession> changed = changes.computeIfAbsent(partition, p -> new HashMap<>());
            UserSession current = changed.get(userKey);
            if (current == null) {
                current = byPartition.get(partition).get(userKey);
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
                long newest = Math.max(newestEventByPartition.getOrDefault(partition, 0L),
                        users.values().stream().mapToLong(UserSession::lastSeen).max().orElse(0));
                long forgetBefore = newest - gapMillis - FORGET_AFTER_GAP.toMillis();
                byPartition.get(partition).forEach((user, session) -> {
                    if (session.lastSeen() < forgetBefore && !users.containsKey(user)) {
                        records.add(new ProducerRecord<>(Topics.ENRICHER_SESSIONS, partition, user, null));
                    }
                });
            });
            return records;
        }

        /** The batch committed: its changes (and forgettings, as written by {@link #changelog()}) become the state. */
        public void commit(List<ProducerRecord<String, byte[]>> changelog) {
            for (ProducerRecord<String, byte[]> record : changelog) {
                Map<String, UserSession> sessions = byPartition.get(record.partition());
                if (record.value() == null) {
                    sessions.remove(record.key());
                } else {
                    UserSession session = changes.get(record.partition()).get(record.key());
                    sessions.put(record.key(), session);
                    newestEventByPartition.merge(record.partition(), session.lastSeen(), Math::max);
                }
            }
        }
    }
}

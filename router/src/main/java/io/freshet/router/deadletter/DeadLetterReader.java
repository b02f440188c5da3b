package io.freshet.router.deadletter;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.deadletter.DeadLetter;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads freshet.events.dlq outside any group: first a bounded stretch (from a time or the beginning to the end offsets
 * of when it started), then, for whoever follows what comes after, on from there.
 */
public class DeadLetterReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeadLetterReader.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STALLED = Duration.ofSeconds(30);

    /** Takes each letter read; may throw to stop the reading. */
    @FunctionalInterface
    public interface Handler {
        void accept(FoundLetter letter) throws Exception;
    }

    private final KafkaConsumer<String, String> consumer;
    private final ObjectMapper json;
    private long unreadable;

    public DeadLetterReader(KafkaConsumer<String, String> consumer, ObjectMapper json) {
        this.consumer = consumer;
        this.json = json;
    }

    /**
     * Positions every partition at the first letter written at or after {@code since} (null: at the beginning) and
     * returns the end offsets as of now, taken first: the end of the stretch to read.
     */
    public Map<TopicPartition, Long> startAt(Instant since) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DLQ).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        consumer.assign(partitions);
        if (since == null) {
            consumer.seekToBeginning(partitions);
            return ends;
        }
        Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> since.toEpochMilli())));
        // null: nothing written on the partition since then
        byTime.forEach((partition, offset) -> consumer.seek(partition, offset == null ? ends.get(partition) : offset.offset()));
        return ends;
    }

    /** Reads every letter up to {@code ends}; what lies past them is read by {@link #poll} afterwards. */
    public void readTo(Map<TopicPartition, Long> ends, Handler handler) throws Exception {
        long behind = behind(ends);
        long movedAt = System.nanoTime();
        while (behind > 0) {
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    accept(record, handler);
                }
            }
            long now = behind(ends);
            if (now < behind) {
                behind = now;
                movedAt = System.nanoTime();
            } else if (System.nanoTime() - movedAt > STALLED.toNanos()) {
                // the broker is away: polls return nothing and would never say so
                throw new TimeoutException(Topics.DLQ + " gave no records for " + STALLED.toSeconds() + " s");
            }
        }
        ends.forEach(consumer::seek);
    }

    private long behind(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().mapToLong(end -> Math.max(0, end.getValue() - consumer.position(end.getKey()))).sum();
    }

    /** Reads what came next, waiting up to half a second for it. */
    public void poll(Handler handler) throws Exception {
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            accept(record, handler);
        }
    }

    /** Records read that were no dead letter (not its JSON): skipped, and counted here. */
    public long unreadable() {
        return unreadable;
    }

    private void accept(ConsumerRecord<String, String> record, Handler handler) throws Exception {
        DeadLetter letter = null;
        try {
            letter = record.value() == null ? null : json.readValue(record.value(), DeadLetter.class);
        } catch (JacksonException e) {
            LOG.debugf("%s-%d@%d is no dead letter: %s", record.topic(), record.partition(), record.offset(), e.getOriginalMessage());
        }
        if (letter == null) {
            unreadable++;
            return;
        }
        handler.accept(FoundLetter.of(letter, record.partition(), record.offset()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}

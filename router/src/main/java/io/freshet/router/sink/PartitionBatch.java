package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The records of one partition waiting for their insert: whatever a poll brought (its consumer's fetch settings batch
 * them); but when the partition's committed offset carries an intent (a predecessor crashed between insert and
 * commit), the next batch is exactly the intent's offsets, however many polls it takes to read them.
 * <p>
 * A batch is formed at the committed offset whenever the partition is assigned or the consumer rewound. Records
 * delivered after that may still come from a poll made before it (the delivery in flight): those are ignored, so a
 * batch holds each offset once and in order, from the committed offset on, without a gap (see {@link #add}).
 */
public final class PartitionBatch {

    private final List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
    /** A delivery whose first record lies past this was fetched before this batch was formed (see the constructor). */
    private final long staleAfter;
    private BatchIntent reform;
    /** The lowest offset still to take: the committed offset, then one past the last record taken. */
    private long next;
    /** The highest offset taken; until then the previous batch's, which stale deliveries follow. */
    private volatile long highest;
    private boolean fresh = true;
    /** When the oldest record waiting here arrived (System.nanoTime). */
    private long firstAddedAt;

    /** A partition's first batch in this process. */
    public PartitionBatch(Optional<BatchIntent> reform, long committed) {
        this(reform, committed, -1);
    }

    /**
     * @param committed        the partition's committed offset: where the consumer reads from now
     * @param previousHighest  the highest offset this process took into the partition's previous batch (-1 if none).
     *                         When it lies at or past {@code committed}, the previous batch had records not yet stored;
     *                         a delivery fetched for it starts past them, while a fresh fetch starts at or before
     *                         them, at the committed offset.
     */
    public PartitionBatch(Optional<BatchIntent> reform, long committed, long previousHighest) {
        this.reform = reform.orElse(null);
        this.next = committed;
        this.highest = previousHighest;
        this.staleAfter = previousHighest >= committed ? previousHighest : Long.MAX_VALUE;
    }

    /**
     * Takes a delivery's records of this partition: those below {@link #next} are already here or stored, and a delivery
     * that starts past the previous batch's records before anything was taken was fetched for that batch, not read
     * from the committed offset; the fetch from there brings its records again, in order.
     */
    public void add(List<ConsumerRecord<String, SpecificRecord>> polled) {
        if (polled.isEmpty() || fresh && polled.getFirst().offset() > staleAfter) {
            return;
        }
        for (var record : polled) {
            if (record.offset() >= next) {
                if (records.isEmpty()) {
                    firstAddedAt = System.nanoTime();
                }
                records.add(record);
                next = record.offset() + 1;
                highest = record.offset();
                fresh = false;
            }
        }
    }

    public int size() {
        return records.size();
    }

    /** The highest offset taken (before any, the previous batch's): what a delivery fetched for this batch starts after. */
    public long highest() {
        return highest;
    }

    /** When the oldest record waiting here arrived (System.nanoTime). */
    public long firstAddedAt() {
        return firstAddedAt;
    }

    /**
     * Whether to insert now: re-forming, once read up to the intent's last offset; else once it holds a full insert,
     * its oldest record waited the longest age, or the shortest age while Kafka has nothing more for the partition.
     */
    public boolean due(int maxRows, long maxAgeNanos, long minAgeNanos, boolean caughtUp) {
        if (records.isEmpty()) {
            return false;
        }
        if (reform != null) {
            return records.getLast().offset() >= reform.last();
        }
        long age = System.nanoTime() - firstAddedAt;
        return records.size() >= maxRows || age >= maxAgeNanos || caughtUp && age >= minAgeNanos;
    }

    /** The records of the next insert, and the intent that names them. */
    public record Next(List<ConsumerRecord<String, SpecificRecord>> records, BatchIntent intent) {
    }

    /** The next batch (its records stay here until {@link #completed}); call when {@link #ready}. */
    public Next next(int maxRows) {
        if (reform != null) {
            long last = reform.last();
            return new Next(records.stream().takeWhile(r -> r.offset() <= last).toList(), reform);
        }
        var batch = List.copyOf(records.subList(0, Math.min(maxRows, records.size())));
        return new Next(batch, new BatchIntent(batch.getFirst().offset(), batch.getLast().offset()));
    }

    /** The batch is stored and its offsets committed: what is left is the next batch's start. */
    public void completed(List<ConsumerRecord<String, SpecificRecord>> batch) {
        records.subList(0, batch.size()).clear();
        reform = null;
        firstAddedAt = System.nanoTime();
    }
}

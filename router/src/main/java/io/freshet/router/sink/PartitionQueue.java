package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The records of one owned partition waiting for an insert, in offset order without a gap. A queue is made whenever the
 * partition is assigned or the consumer rewound, at the partition's committed offset; records delivered after that may
 * still come from a poll made before it (the delivery in flight): those are ignored (see {@link #add}).
 * <p>
 * When the committed offset carries a manifest still to be re-formed (see {@link CommitProtocol#resolve}), the queue
 * takes records only past the manifest's range, and gives none to a new batch until that one is re-formed: its
 * partition's intent must stay where it is until then.
 */
public final class PartitionQueue {

    private final List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
    /** A delivery whose first record lies past this was fetched before this queue was made (see the constructor). */
    private final long staleAfter;
    private Manifest pending;
    /** The lowest offset still to take. */
    private long next;
    /** The highest offset taken; until then the previous queue's, which stale deliveries follow. */
    private volatile long highest;
    private boolean fresh = true;
    /** When the oldest record waiting here arrived (nanoseconds of the assembler's clock). */
    private long firstAddedAt;

    /**
     * @param start           where the partition resumes, as its committed offset says
     * @param previousHighest the highest offset this process took into the partition's previous queue (-1 if none).
     *                        When it lies at or past the committed offset, the previous queue had records not yet
     *                        stored; a delivery fetched for it starts past them, while a fresh fetch starts at or
     *                        before them.
     */
    public PartitionQueue(PartitionStart start, long previousHighest) {
        this.pending = start.pending().orElse(null);
        this.next = start.takeFrom();
        this.highest = previousHighest;
        this.staleAfter = previousHighest >= start.committed() ? previousHighest : Long.MAX_VALUE;
    }

    /**
     * Takes a delivery's records of this partition: those below {@link #next} are already taken or stored, and the
     * first delivery is dropped whole if it starts past the previous queue's records: it was fetched for that queue,
     * not read from the committed offset, and the fetch from there brings its records again, in order.
     */
    void add(List<ConsumerRecord<String, SpecificRecord>> polled, long now) {
        if (polled.isEmpty()) {
            return;
        }
        if (fresh) {
            if (polled.getFirst().offset() > staleAfter) {
                return;
            }
            fresh = false;
        }
        for (var record : polled) {
            if (record.offset() >= next) {
                if (records.isEmpty()) {
                    firstAddedAt = now;
                }
                records.add(record);
                next = record.offset() + 1;
                highest = record.offset();
            }
        }
    }

    int size() {
        return records.size();
    }

    /** The highest offset taken (before any, the previous queue's): what a delivery fetched for this queue starts after. */
    long highest() {
        return highest;
    }

    long firstAddedAt() {
        return firstAddedAt;
    }

    /** The manifest to re-form before this partition's records go into a new batch; none once done. */
    Optional<Manifest> pending() {
        return Optional.ofNullable(pending);
    }

    void reformed() {
        pending = null;
    }

    /** The oldest records, up to {@code max} (they stay here until {@link #completed}). */
    List<ConsumerRecord<String, SpecificRecord>> head(int max) {
        return List.copyOf(records.subList(0, Math.min(max, records.size())));
    }

    /** A batch took the oldest {@code count} records and is stored: what is left waits for the next. */
    void completed(int count, long now) {
        records.subList(0, count).clear();
        firstAddedAt = now;
    }
}

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
 */
public final class PartitionBatch {

    private final List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
    private BatchIntent reform;

    public PartitionBatch(Optional<BatchIntent> reform) {
        this.reform = reform.orElse(null);
    }

    public void add(List<ConsumerRecord<String, SpecificRecord>> polled) {
        records.addAll(polled);
    }

    public int size() {
        return records.size();
    }

    /** Anything to insert, or (re-forming) read up to the intent's last offset. */
    public boolean ready() {
        return !records.isEmpty() && (reform == null || records.getLast().offset() >= reform.last());
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
    }
}

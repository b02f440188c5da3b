package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchIntentTest {

    @Test
    void anIntentSurvivesTheOffsetMetadataAndNamesItsBatch() {
        var intent = new BatchIntent(120, 4119);
        assertEquals(Optional.of(intent), BatchIntent.decode(intent.encode()));
        assertEquals(Optional.empty(), BatchIntent.decode(""));
        assertEquals(Optional.empty(), BatchIntent.decode(null));
        assertEquals("freshet.events.enriched-3:120-4119", intent.deduplicationToken("freshet.events.enriched", 3));
    }

    @Test
    void aBatchOfAnIntentIsReformedExactlyHoweverTheRecordsArrive() {
        var batch = new PartitionBatch(Optional.of(new BatchIntent(10, 15)), 10);
        batch.add(records(10, 13));
        assertFalse(caughtUp(batch), "not before its last offset was read");
        batch.add(records(14, 20));
        assertTrue(caughtUp(batch));
        var reformed = batch.next(1000);
        assertEquals(LongStream.rangeClosed(10, 15).boxed().toList(), reformed.records().stream().map(ConsumerRecord::offset).toList());
        assertEquals(new BatchIntent(10, 15), reformed.intent());

        batch.completed(reformed.records());
        assertEquals(5, batch.size());
        assertTrue(caughtUp(batch), "then a batch is whatever was read, up to the most rows an insert takes");
        assertEquals(new BatchIntent(16, 18), batch.next(3).intent());
    }

    @Test
    void aDeliveryFetchedBeforeTheBatchWasFormedIsIgnoredAndItsRecordsTakenOnceFromTheCommittedOffset() {
        // the previous batch had taken 10..19 and stored none: a delivery in flight continues at 20, the fetch from the
        // committed offset starts at 10
        var batch = new PartitionBatch(Optional.empty(), 10, 19);
        batch.add(records(20, 29));
        assertFalse(caughtUp(batch), "a stale delivery is not taken");
        batch.add(records(10, 24));
        batch.add(records(20, 29));
        assertEquals(LongStream.rangeClosed(10, 29).boxed().toList(), batch.next(1000).records().stream().map(ConsumerRecord::offset).toList());
        assertEquals(29, batch.highest());
    }

    @Test
    void whenThePreviousBatchWasStoredADeliveryFromPastItIsTheSameAsAFreshFetch() {
        var batch = new PartitionBatch(Optional.empty(), 20, 19);
        batch.add(records(21, 25)); // 20: a transaction marker
        batch.add(records(21, 30));
        assertEquals(new BatchIntent(21, 30), batch.next(1000).intent());
        assertEquals(10, batch.size());
    }

    @Test
    void aBatchFormedAgainBeforeTakingAnythingKeepsTheStaleBound() {
        var first = new PartitionBatch(Optional.empty(), 10, 19);
        var again = new PartitionBatch(Optional.empty(), 10, first.highest());
        again.add(records(20, 29));
        assertEquals(0, again.size());
    }

    @Test
    void aBatchIsInsertedWhenFullOldOrCaughtUpAfterTheShortestAge() {
        var batch = new PartitionBatch(Optional.empty(), 0);
        assertFalse(batch.due(3, Long.MAX_VALUE, 0, true), "nothing to insert");
        batch.add(records(0, 1));
        assertFalse(batch.due(3, Long.MAX_VALUE, Long.MAX_VALUE, true), "neither full nor old");
        assertFalse(batch.due(3, Long.MAX_VALUE, 0, false), "Kafka has more for the partition: it grows");
        assertTrue(batch.due(3, Long.MAX_VALUE, 0, true), "nothing more yet: it goes after the shortest age");
        assertTrue(batch.due(3, 0, Long.MAX_VALUE, false), "old");
        batch.add(records(2, 2));
        assertTrue(batch.due(3, Long.MAX_VALUE, Long.MAX_VALUE, false), "full");
    }

    /** Due as soon as it holds anything (or, re-forming, its intent's records). */
    private static boolean caughtUp(PartitionBatch batch) {
        return batch.due(5000, Long.MAX_VALUE, 0, true);
    }

    private static List<ConsumerRecord<String, SpecificRecord>> records(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(o -> new ConsumerRecord<String, SpecificRecord>("t", 0, o, "k", null)).toList();
    }
}

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
        var batch = new PartitionBatch(Optional.of(new BatchIntent(10, 15)));
        batch.add(records(10, 13));
        assertFalse(batch.ready(), "not before its last offset was read");
        batch.add(records(14, 20));
        assertTrue(batch.ready());
        var reformed = batch.next(1000);
        assertEquals(LongStream.rangeClosed(10, 15).boxed().toList(), reformed.records().stream().map(ConsumerRecord::offset).toList());
        assertEquals(new BatchIntent(10, 15), reformed.intent());

        batch.completed(reformed.records());
        assertEquals(5, batch.size());
        assertTrue(batch.ready(), "then a batch is whatever was read, up to the most rows an insert takes");
        assertEquals(new BatchIntent(16, 18), batch.next(3).intent());
    }

    private static List<ConsumerRecord<String, SpecificRecord>> records(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(o -> new ConsumerRecord<String, SpecificRecord>("t", 0, o, "k", null)).toList();
    }
}

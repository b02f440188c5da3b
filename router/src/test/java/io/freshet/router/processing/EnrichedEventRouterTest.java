package io.freshet.router.processing;

import io.freshet.eventmodel.record.EnrichedEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EnrichedEventRouterTest {

    @Test
    void theDeduplicationTokenIsTheBatchsOffsetRangePerPartitionInAStableOrder() {
        var batch = List.of(record(3, 17), record(0, 5), record(3, 15), record(0, 9), record(3, 16));
        assertEquals("t-0:5-9,t-3:15-17", EnrichedEventRouter.deduplicationToken(batch));
        assertEquals(EnrichedEventRouter.deduplicationToken(batch),
                EnrichedEventRouter.deduplicationToken(batch.reversed()), "a redelivered batch gets the same token");
    }

    private static ConsumerRecord<String, EnrichedEvent> record(int partition, long offset) {
        return new ConsumerRecord<>("t", partition, offset, "k", null);
    }
}

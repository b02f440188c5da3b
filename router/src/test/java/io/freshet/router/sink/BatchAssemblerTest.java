package io.freshet.router.sink;

import io.freshet.router.sink.LaneFakes.Log;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.freshet.router.sink.LaneFakes.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When batches are due and what they hold, on a clock the test moves. */
class BatchAssemblerTest {

    private static final long MIN_AGE = Duration.ofMillis(150).toNanos();
    private static final long MAX_AGE = Duration.ofMillis(500).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final BatchAssembler assembler = new BatchAssembler(100, MAX_AGE, MIN_AGE, clock::get);
    private final Log log = new Log().append(0, 30).append(1, 30);

    @Test
    void aThinFlowGoesOnceItWaitedTheShortestAgeAndKafkaHasNothingMore() {
        assign(0, 1);
        assembler.add(log.from(Map.of(partition(0), 0L, partition(1), 0L)));

        clock.addAndGet(MIN_AGE - 1);
        assertFalse(assembler.due(p -> true), "younger than the shortest age");
        clock.addAndGet(1);
        assertFalse(assembler.due(p -> p.partition() == 0), "Kafka has more for partition 1");
        assertTrue(assembler.due(p -> true));
        assertEquals(List.of(partition(0), partition(1)), assembler.waiting().stream().sorted(
                java.util.Comparator.comparingInt(TopicPartition::partition)).toList());
    }

    @Test
    void aBatchGoesAtTheLongestAgeEvenWhileKafkaHasMore() {
        assign(0);
        assembler.add(log.from(Map.of(partition(0), 0L)));

        clock.addAndGet(MAX_AGE - 1);
        assertFalse(assembler.due(p -> false));
        clock.addAndGet(1);
        assertTrue(assembler.due(p -> false));
    }

    @Test
    void aFullBatchGoesAtOnceAndTakesThePartitionsInOrderUpToTheRows() {
        assign(0, 1);
        log.append(0, 50).append(1, 50);
        assembler.add(log.from(Map.of(partition(0), 0L, partition(1), 0L)));

        assertTrue(assembler.due(p -> false), "160 rows waiting, 100 to an insert");
        Batch batch = assembler.next().getFirst();

        assertEquals("batch:0:0-79,1:0-19", batch.manifest().encode());
        assertEquals(100, batch.records().size());
        assembler.completed(batch, Set.of(partition(0), partition(1)));
        assertEquals("batch:1:20-79", assembler.next().getFirst().manifest().encode());
    }

    @Test
    void aDeliveryFetchedBeforeTheQueueWasMadeIsLeftForTheFetchFromTheCommittedOffset() {
        assign(0);
        assembler.add(log.from(Map.of(partition(0), 0L)));
        assembler.revoke(List.of(partition(0)));
        assembler.assign(partition(0), PartitionStart.at(0)); // back, still at 0: the 30 records were never stored

        assembler.add(new ConsumerRecords<>(Map.of(partition(0), log.partitions.get(0).subList(30, 30)), Map.of()));
        log.append(0, 5);
        assembler.add(new ConsumerRecords<>(Map.of(partition(0), log.partitions.get(0).subList(30, 35)), Map.of()));
        assertTrue(assembler.next().isEmpty(), "records past the revoked queue's, from a poll before the assignment");

        assembler.add(log.from(Map.of(partition(0), 0L)));
        assertEquals("batch:0:0-34", assembler.next().getFirst().manifest().encode());
    }

    @Test
    void aPartitionWithAManifestToReFormGivesNoRecordsToANewBatchUntilItIsReFormed() {
        var pending = new Manifest(LaneFakes.TOPIC, List.of(new Manifest.Member(0, 0, 9)));
        assembler.assign(partition(0), new PartitionStart(0, 10, Optional.of(pending)));
        assign(1);
        assembler.add(log.from(Map.of(partition(0), 0L, partition(1), 0L)));

        assertTrue(assembler.due(p -> false), "a re-formation is due at once");
        assertEquals("batch:1:0-29", assembler.next().getFirst().manifest().encode());
        Batch reformation = assembler.reformations().getFirst();
        assertEquals(pending, reformation.manifest());

        assembler.reformed(reformation, Set.of(partition(0)));
        assertTrue(assembler.reformations().isEmpty());
        assertEquals("batch:0:10-29,1:0-29", assembler.next().getFirst().manifest().encode());
    }

    private void assign(int... partitions) {
        for (int partition : partitions) {
            assembler.assign(partition(partition), PartitionStart.at(0));
        }
    }
}

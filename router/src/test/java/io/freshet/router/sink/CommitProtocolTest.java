package io.freshet.router.sink;

import io.freshet.router.sink.LaneFakes.Crash;
import io.freshet.router.sink.LaneFakes.GroupOffsets;
import io.freshet.router.sink.LaneFakes.Instance;
import io.freshet.router.sink.LaneFakes.Log;
import io.freshet.router.sink.LaneFakes.Table;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static io.freshet.router.sink.LaneFakes.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink's exactly-once protocol, a test per crash window, over an in-memory log, group offsets and table (with
 * ClickHouse's deduplication by token): whatever happens, the table ends with each record of the log once, and every
 * partition's offset past what it stored.
 */
class CommitProtocolTest {

    private final Log log = new Log().append(0, 40).append(1, 25).append(2, 10);
    private final GroupOffsets offsets = new GroupOffsets();
    private final Table table = new Table();

    @Test
    void aBatchSpansEveryOwnedPartitionInOneInsert() {
        new Instance(log, offsets, table).assign(0, 1, 2).cycle();

        assertEquals(1, table.inserts.size(), "one insert for the three partitions");
        assertExactlyOnce();
    }

    @Test
    void killedAfterTheIntentTheNextOwnerReFormsTheBatchFromKafkaAndStoresItOnce() {
        assertThrows(Crash.class, () -> crashingAt(CrashPoints.Point.AFTER_INTENT).assign(0, 1, 2).cycle());
        assertEquals(0, table.rows.size());
        assertTrue(offsets.metadata(1).startsWith("batch:"), "every member carries the manifest");

        new Instance(log, offsets, table).assign(0, 1, 2).cycle();

        assertEquals(1, log.reads, "the batch was read again from Kafka");
        assertExactlyOnce();
    }

    @Test
    void killedAfterTheInsertTheReFormedBatchCarriesTheSameTokenAndClickHouseDropsIt() {
        assertThrows(Crash.class, () -> crashingAt(CrashPoints.Point.AFTER_INSERT).assign(0, 1, 2).cycle());
        assertEquals(75, table.rows.size());

        new Instance(log, offsets, table).assign(0, 1, 2).cycle();

        assertEquals(2, table.inserts.size());
        assertEquals(table.inserts.get(0), table.inserts.get(1), "the same token");
        assertExactlyOnce();
    }

    @Test
    void whenOneMemberIsAlreadyPastItsRangeTheBatchLandedAndTheOthersMovePastWithoutAnInsert() {
        assertThrows(Crash.class, () -> crashingAt(CrashPoints.Point.AFTER_INSERT).assign(0, 1, 2).cycle());
        offsets.committed.put(partition(1), new OffsetAndMetadata(25)); // its owner completed its member, then died

        new Instance(log, offsets, table).assign(0, 2).cycle();

        assertEquals(1, table.inserts.size(), "no second insert");
        assertEquals(0, log.reads);
        assertExactlyOnce();
    }

    @Test
    void anIntentOnlyPartlyCommittedWasNeverInsertedAndItsCarrierStartsAfresh() {
        // what a commit refused for some partitions leaves: one member carries a manifest, the others do not
        var manifest = new Manifest(LaneFakes.TOPIC, List.of(new Manifest.Member(0, 0, 39), new Manifest.Member(1, 0, 24)));
        offsets.committed.put(partition(0), new OffsetAndMetadata(0, manifest.encode()));

        var instance = new Instance(log, offsets, table).assign(0, 1, 2);
        assertEquals("", offsets.metadata(0), "cleared at once: partition 1 moving past its range must never read as landed");
        instance.cycle();

        assertFalse(table.tokens.contains(manifest.deduplicationToken()), "the partial manifest is never inserted");
        assertExactlyOnce();
    }

    @Test
    void aRebalanceThatSplitsAnUnfinishedBatchLetsEachNewOwnerReFormItWhole() {
        assertThrows(Crash.class, () -> crashingAt(CrashPoints.Point.AFTER_INSERT).assign(0, 1, 2).cycle());
        var first = new Instance(log, offsets, table).assign(0, 1);
        var second = new Instance(log, offsets, table).assign(2);

        first.cycle();
        second.cycle();

        assertEquals(2, log.reads, "each re-read the whole batch, members it does not own included");
        assertEquals(3, table.inserts.size());
        assertEquals(1, table.tokens.size(), "all with the batch's token");
        assertExactlyOnce();
    }

    @Test
    void aNewOwnerStoresTheRestWhileTheSplitBatchIsReFormedByTheOther() {
        assertThrows(Crash.class, () -> crashingAt(CrashPoints.Point.AFTER_INTENT).assign(0, 1, 2).cycle());
        var first = new Instance(log, offsets, table).assign(0, 1);
        var second = new Instance(log, offsets, table).assign(2);
        first.cycle();
        log.append(0, 5).append(2, 5);
        first.poll(List.of(partition(0), partition(1)));

        first.cycle();
        second.cycle();
        second.poll(List.of(partition(2)));
        second.cycle();

        assertExactlyOnce();
    }

    @Test
    void aZombieWhosePartitionsMovedOnCommitsNothing() {
        var zombie = new Instance(log, offsets, table).assign(0, 1, 2);
        List<Batch> formed = zombie.assembler.next();
        zombie.assembler.revoke(List.of(partition(0), partition(1), partition(2))); // its session expired meanwhile
        new Instance(log, offsets, table).assign(0, 1, 2).cycle();
        log.append(0, 5);
        var successor = new Instance(log, offsets, table).assign(0, 1, 2);

        Set<TopicPartition> committed = zombie.protocol.store(formed.getFirst(), p -> zombie.assembler.holds(formed.getFirst(), p));
        successor.cycle();

        assertTrue(committed.isEmpty(), "the zombie wrote no intent over its successors' offsets");
        assertEquals(45, offsets.offset(0));
        assertExactlyOnce();
    }

    @Test
    void aPartitionRevokedWhileClickHouseFailsIsLeftToItsNewOwner() {
        var instance = new Instance(log, offsets, table).assign(0, 1, 2);
        Batch batch = instance.assembler.next().getFirst();
        table.failuresToCome = 3;
        int[] attempts = {0};

        Set<TopicPartition> completed = instance.protocol.store(batch, p -> ++attempts[0] < 5);

        assertTrue(completed.isEmpty());
        assertEquals(0, table.rows.size());
        new Instance(log, offsets, table).assign(0, 1, 2).cycle();
        assertExactlyOnce();
    }

    @Test
    void whileClickHouseFailsTheSameRowsAreRetriedWithTheSameToken() {
        table.failuresToCome = 4;

        new Instance(log, offsets, table).assign(0, 1, 2).cycle();

        assertEquals(5, table.inserts.size());
        assertEquals(1, Set.copyOf(table.inserts).size());
        assertExactlyOnce();
    }

    @Test
    void aRefusedIntentCommitInsertsNothing() {
        var instance = new Instance(log, offsets, table).assign(0, 1, 2);
        offsets.refuse = true;

        assertThrows(CommitFailedException.class, instance::cycle);

        assertEquals(0, table.inserts.size());
        offsets.refuse = false;
        new Instance(log, offsets, table).assign(0, 1, 2).cycle();
        assertExactlyOnce();
    }

    @Test
    void anIntentOfTheFormerSinglePartitionFormatIsReFormedWithItsFormerToken() {
        offsets.committed.put(partition(1), new OffsetAndMetadata(0, "inserting:0-9"));
        String formerToken = LaneFakes.TOPIC + "-1:0-9";
        table.tokens.add(formerToken); // that router had inserted it before it was upgraded
        table.rows.addAll(log.partitions.get(1).subList(0, 10));

        new Instance(log, offsets, table).assign(0, 1, 2).cycle();

        assertEquals(formerToken, table.inserts.getFirst());
        assertExactlyOnce();
    }

    @Test
    void aManifestStaysWithinKafkasOffsetMetadataAndTheRestGoesInTheNextBatch() {
        var many = new Log();
        List<TopicPartition> partitions = IntStream.range(0, 600).mapToObj(p -> {
            many.append(p, 2);
            return partition(p);
        }).toList();
        var instance = new Instance(many, offsets, table).assign(partitions);

        List<Batch> batches = instance.assembler.next();

        String encoded = batches.getFirst().manifest().encode();
        assertTrue(encoded.length() <= Manifest.MAX_ENCODED_LENGTH, encoded.length() + " characters");
        while (!instance.assembler.next().isEmpty()) {
            instance.cycle();
        }
        assertEquals(1200, table.distinct());
        assertTrue(table.inserts.size() > 1);
    }

    @Test
    void overTheLanesConsumerACommitNeedsEveryPartitionHeldAndMovesOnlyHeldOnes() {
        var consumer = new MockConsumer<String, String>("earliest");
        consumer.assign(List.of(partition(0), partition(1)));
        OffsetStore store = ConsumerOffsets.of(consumer);
        Map<TopicPartition, OffsetAndMetadata> both = Map.of(partition(0), new OffsetAndMetadata(5, "batch:0:5-9,1:5-9"),
                partition(1), new OffsetAndMetadata(5, "batch:0:5-9,1:5-9"));

        assertFalse(store.commitAll(both, p -> p.partition() == 0));
        assertTrue(store.committed(Set.of(partition(0), partition(1))).isEmpty(), "an intent goes to all members or none");
        assertEquals(Set.of(partition(1)), store.commitHeld(both, p -> p.partition() == 1));
        assertNull(store.committed(Set.of(partition(0))).get(partition(0)));
        assertEquals(5, store.committed(Set.of(partition(1))).get(partition(1)).offset());
    }

    private Instance crashingAt(CrashPoints.Point point) {
        return new Instance(log, offsets, table, point, 20_000);
    }

    /** Rows = distinct records = the log, and each partition's offset at its end without an intent. */
    private void assertExactlyOnce() {
        assertEquals(log.size(), table.rows.size(), "rows");
        assertEquals(log.size(), table.distinct(), "distinct records");
        log.partitions.forEach((partition, records) -> {
            assertEquals(records.size(), offsets.offset(partition), "offset of " + partition);
            String metadata = offsets.metadata(partition);
            assertTrue(metadata == null || metadata.isEmpty(), partition + " still carries " + metadata);
        });
    }
}

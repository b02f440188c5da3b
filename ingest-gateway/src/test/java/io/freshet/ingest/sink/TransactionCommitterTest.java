package io.freshet.ingest.sink;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which queued requests one raw-event transaction takes (the group commit), without Kafka. */
class TransactionCommitterTest {

    private final BlockingQueue<PendingWrite> queue = new ArrayBlockingQueue<>(16);

    @Test
    void aRequestThatComesWithinTheGatherTimeJoinsTheTransaction() throws Exception {
        var committer = committer(Duration.ofMillis(300), 1 << 20);
        PendingWrite first = write(100, 10);
        queue.add(first);
        var batch = CompletableFuture.supplyAsync(() -> nextBatch(committer));
        await().atMost(Duration.ofSeconds(5)).until(queue::isEmpty);
        PendingWrite second = write(100, 10);
        queue.add(second);
        assertEquals(List.of(first, second), batch.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aSteadyTrickleOfRequestsCannotHoldATransactionOpenPastItsGatherTime() throws Exception {
        // a hostile client sending a small request every few milliseconds must not keep every tenant's 202 waiting
        var committer = committer(Duration.ofMillis(300), 1 << 20);
        queue.add(write(100, 10));
        try (var trickle = Executors.newSingleThreadScheduledExecutor()) {
            trickle.scheduleAtFixedRate(() -> queue.offer(write(100, 10)), 0, 5, TimeUnit.MILLISECONDS);
            var batch = CompletableFuture.supplyAsync(() -> nextBatch(committer));
            // the trickle goes on for as long as the test runs: only the gather time's own end lets the batch out
            assertFalse(batch.get(5, TimeUnit.SECONDS).isEmpty());
            trickle.shutdownNow();
        }
    }

    @Test
    void withoutAGatherTimeATransactionTakesWhatIsQueued() throws Exception {
        var committer = committer(Duration.ZERO, 1 << 20);
        PendingWrite first = write(100, 10);
        PendingWrite second = write(100, 10);
        queue.addAll(List.of(first, second));
        assertEquals(List.of(first, second), committer.nextBatch());
        PendingWrite third = write(100, 10);
        queue.add(third);
        assertEquals(List.of(third), committer.nextBatch());
    }

    @Test
    void aTransactionStopsGatheringAtItsSizeBound() throws Exception {
        var committer = committer(Duration.ofSeconds(30), 1_000);
        PendingWrite first = write(600, 10);
        PendingWrite second = write(600, 10);
        PendingWrite third = write(600, 10);
        queue.addAll(List.of(first, second, third));
        long start = System.nanoTime();
        assertEquals(List.of(first, second), committer.nextBatch());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "a full transaction does not wait out its gather time");
        assertEquals(List.of(third), queue.stream().toList());
    }

    @Test
    void aRequestPastItsAdmissionDeadlineIsRefusedNotSent() throws Exception {
        var committer = committer(Duration.ZERO, 1 << 20);
        PendingWrite late = write(100, -1);
        PendingWrite onTime = write(100, 10);
        queue.addAll(List.of(late, onTime));
        assertEquals(List.of(onTime), committer.nextBatch());
        assertTrue(late.outcome().isCompletedExceptionally());
    }

    private TransactionCommitter committer(Duration gather, long maxTransactionBytes) {
        // the producer is not used to choose a transaction's requests
        return new TransactionCommitter("raw-events-test", null, queue, maxTransactionBytes, gather, new SimpleMeterRegistry());
    }

    /** A request of one record of {@code bytes}, whose admission deadline is {@code seconds} from now. */
    private static PendingWrite write(int bytes, long seconds) {
        return new PendingWrite(List.of(new ProducerRecord<>("raw", "k", new byte[bytes - 1])),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
    }

    private static List<PendingWrite> nextBatch(TransactionCommitter committer) {
        try {
            return committer.nextBatch();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

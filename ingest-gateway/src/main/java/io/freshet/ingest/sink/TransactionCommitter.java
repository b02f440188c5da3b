package io.freshet.ingest.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The group commit of one raw-event channel (of several sharing the queue): takes every queued write, sends them in
 * one transaction of the channel's producer, waits for the acks, commits, and answers each write. A transaction that
 * fails before its commit is aborted, so read_committed readers never see any of it; while Kafka cannot even take
 * the abort, the queue's writes that reach their admission deadline are refused, so no request waits past its bound.
 * <p>
 * The steps run on the producer's own sending thread, the records handed over in one hop (a Message per event
 * through an emitter cost two thirds of the gateway's throughput). Not {@code KafkaTransactions}: SmallRye 4.33 reports
 * a transaction whose commit failed and whose abort then succeeded as committed, which would answer 202 for events
 * Kafka does not hold.
 */
class TransactionCommitter implements Runnable {

    private static final Logger LOG = Logger.getLogger(TransactionCommitter.class);

    private final String channel;
    private final KafkaProducer<String, byte[]> producer;
    private final BlockingQueue<PendingWrite> queue;
    private final long maxTransactionBytes;
    private final long gatherNanos;
    private final Timer commitLatency;
    private final DistributionSummary transactionSize;
    private final Counter expired;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean opened;
    /** Why the channel's producer cannot take transactions any more (fenced, not authorized); null while it can. */
    private volatile String broken;

    TransactionCommitter(String channel, KafkaProducer<String, byte[]> producer, BlockingQueue<PendingWrite> queue,
                         long maxTransactionBytes, Duration gather, MeterRegistry meters) {
        this.channel = channel;
        this.producer = producer;
        this.queue = queue;
        this.maxTransactionBytes = maxTransactionBytes;
        this.gatherNanos = gather.toNanos();
        this.commitLatency = Timer.builder("freshet.ingest.transaction.commit")
                .description("Time of one raw-event transaction, from its first send to the commit's answer")
                .publishPercentileHistogram().register(meters);
        this.transactionSize = DistributionSummary.builder("freshet.ingest.transaction.events")
                .description("Events per raw-event transaction").register(meters);
        this.expired = Counter.builder("freshet.ingest.expired.requests")
                .description("Requests refused because they waited for a transaction past their admission deadline")
                .register(meters);
    }

    @Override
    public void run() {
        try {
            awaitProducer();
            while ((running || !queue.isEmpty()) && broken == null) {
                List<PendingWrite> batch = nextBatch();
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    /**
     * The channel's producer is made (and its transactional id registered) on first use. The first transaction on a
     * fresh cluster waits for Kafka to create its transaction log: the gateway is not ready before that, rather than
     * answering its first requests 503.
     */
    private void awaitProducer() throws InterruptedException {
        while (running && !opened) {
            try {
                step(p -> { });
                opened = true;
            } catch (RuntimeException e) {
                LOG.infof("Raw-event channel %s not ready yet (%s); trying again", channel, reason(e));
                Thread.sleep(500);
            }
        }
    }

    /** True once the channel's producer could register its transactional id. */
    boolean opened() {
        return opened;
    }

    /** Why this channel's producer takes no transactions any more, or null. */
    String broken() {
        return broken;
    }

    /**
     * The queued writes still within their admission deadline, up to a transaction's worth of bytes, gathered for up
     * to the gather time after the first: a transaction costs the gateway and the broker about as much as a thousand
     * events (its RPCs, a marker on each partition), and at a steady load requests come one at a time.
     */
    List<PendingWrite> nextBatch() throws InterruptedException {
        List<PendingWrite> batch = new ArrayList<>();
        PendingWrite write = queue.poll(100, TimeUnit.MILLISECONDS);
        long bytes = 0;
        long gatherUntil = System.nanoTime() + gatherNanos;
        while (write != null) {
            long now = System.nanoTime();
            if (now - write.admissionDeadlineNanos() > 0) {
                expire(write);
            } else {
                batch.add(write);
                bytes += write.bytes();
                if (bytes >= maxTransactionBytes) {
                    break;
                }
            }
            write = queue.poll();
            if (write == null && gatherUntil - now > 0) {
                write = queue.poll(gatherUntil - now, TimeUnit.NANOSECONDS);
            }
        }
        return batch;
    }

    private void commit(List<PendingWrite> batch) {
        long start = System.nanoTime();
        try {
            step(p -> {
                p.beginTransaction();
                sendAll(p, batch);
            });
        } catch (RuntimeException e) {
            // the commit was never requested: nothing of this transaction becomes visible
            fail(batch, new KafkaUnavailableException("Kafka did not take the events: " + reason(e), false));
            abort();
            return;
        }
        try {
            step(Producer::commitTransaction);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            fail(batch, new KafkaUnavailableException("Kafka did not answer the commit in time", true));
            finishCommit();
            return;
        } catch (RuntimeException e) {
            fail(batch, new KafkaUnavailableException("Kafka refused the commit: " + reason(e), false));
            abort();
            return;
        }
        commitLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        int events = 0;
        for (PendingWrite write : batch) {
            events += write.records().size();
            write.outcome().complete(null);
        }
        transactionSize.record(events);
    }

    /**
     * Sends the batch and flushes it, so it goes out now rather than at linger's end; returns once every record is
     * acked or expired (flush is bounded by the delivery timeout and runs every callback first). Stops at the first
     * failure: without the topic's metadata each send waits up to max.block.ms before failing, so going on would make a
     * transaction of a thousand records wait a thousand times that.
     */
    private static void sendAll(Producer<String, byte[]> producer, List<PendingWrite> batch) {
        var failure = new AtomicReference<Exception>();
        for (PendingWrite write : batch) {
            for (var record : write.records()) {
                if (failure.get() != null) {
                    throw asRuntime(failure.get());
                }
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw asRuntime(failure.get());
        }
    }

    private static RuntimeException asRuntime(Exception e) {
        return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }

    /** A commit whose answer timed out may only be asked again (Kafka's rule) until it ends one way or the other. */
    private void finishCommit() {
        while (running && broken == null) {
            try {
                step(Producer::commitTransaction);
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                refuseExpired();
            } catch (RuntimeException e) {
                abort();
                return;
            }
        }
    }

    /** Aborts the open transaction, asking again while Kafka is unreachable; a producer that cannot abort is broken. */
    private void abort() {
        while (running && broken == null) {
            try {
                step(Producer::abortTransaction);
                return;
            } catch (RetriableException e) {
                refuseExpired();
            } catch (RuntimeException e) {
                // fenced by another producer with this transactional id, or not authorized: only a restart helps
                broken = reason(e);
                LOG.errorf("Raw-event channel %s cannot take transactions any more (%s): liveness fails until the gateway"
                        + " is restarted", channel, broken);
            }
        }
    }

    /** While this channel cannot commit, the writes at the queue's head past their admission deadline are answered. */
    private void refuseExpired() {
        PendingWrite head;
        while ((head = queue.peek()) != null && System.nanoTime() - head.admissionDeadlineNanos() > 0) {
            if (queue.remove(head)) {
                expire(head);
            }
        }
    }

    private void expire(PendingWrite write) {
        expired.increment();
        write.outcome().completeExceptionally(new KafkaUnavailableException(
                "the request waited too long for a Kafka transaction", false));
    }

    private void fail(List<PendingWrite> batch, KafkaUnavailableException failure) {
        LOG.warnf("Raw-event transaction of %d requests on %s failed: %s", batch.size(), channel,
                failure.getMessage());
        batch.forEach(write -> write.outcome().completeExceptionally(failure));
    }

    /** One step on the producer's sending thread; Kafka bounds each (max.block.ms, delivery.timeout.ms). */
    private void step(Consumer<Producer<String, byte[]>> action) {
        producer.runOnSendingThread(action).await().indefinitely();
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops taking new work once the queue is empty. */
    void stop() {
        running = false;
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

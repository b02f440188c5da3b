package io.freshet.ingest.sink;

import io.freshet.eventmodel.kafka.TransactionalProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One group commit loop (of several sharing the queue): takes every queued write, sends them in one transaction, waits for the acks,
 * commits, and answers each write. Any failure before the commit request leaves the transaction
 * uncommitted; the producer is then closed and the next one fences it, which aborts it at once.
 */
class TransactionCommitter implements Runnable {

    private static final Logger LOG = Logger.getLogger(TransactionCommitter.class);

    private final int slot;
    private final BlockingQueue<PendingWrite> queue;
    private final RawTransactions transactions;
    private final Timer commitLatency;
    private final DistributionSummary transactionSize;
    private final Counter expired;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean opened;
    private TransactionalProducer producer;

    TransactionCommitter(int slot, BlockingQueue<PendingWrite> queue, RawTransactions transactions, MeterRegistry meters) {
        this.slot = slot;
        this.queue = queue;
        this.transactions = transactions;
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
            openFirstProducer();
            while (running || !queue.isEmpty()) {
                List<PendingWrite> batch = nextBatch();
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeProducer(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /**
     * The first transaction on a fresh cluster waits for Kafka to create its transaction log; the gateway
     * is not ready before that, rather than answering its first requests 503.
     */
    private void openFirstProducer() throws InterruptedException {
        while (running && producer == null) {
            try {
                openProducer();
            } catch (RuntimeException e) {
                LOG.infof("Raw-event producer %d not ready yet (%s); trying again", slot, e.getMessage());
                Thread.sleep(500);
            }
        }
        opened = true;
    }

    /** True once this committer could open a transactional producer. */
    boolean opened() {
        return opened;
    }

    private void openProducer() {
        producer = transactions.open(slot);
    }

    /** The queued writes still within their admission deadline, up to a transaction's worth of bytes. */
    private List<PendingWrite> nextBatch() throws InterruptedException {
        List<PendingWrite> batch = new ArrayList<>();
        PendingWrite write = queue.poll(100, TimeUnit.MILLISECONDS);
        long bytes = 0;
        long now = System.nanoTime();
        while (write != null) {
            if (now - write.admissionDeadlineNanos() > 0) {
                expired.increment();
                write.outcome().completeExceptionally(new KafkaUnavailableException(
                        "the request waited too long for a Kafka transaction", false));
            } else {
                batch.add(write);
                bytes += write.bytes();
                if (bytes >= transactions.maxTransactionBytes()) {
                    break;
                }
            }
            write = queue.poll();
        }
        return batch;
    }

    private void commit(List<PendingWrite> batch) {
        long start = System.nanoTime();
        try {
            if (producer == null) {
                openProducer();
            }
            producer.kafka().beginTransaction();
            sendAll(batch);
        } catch (Exception e) {
            // the commit was never requested: nothing of this transaction becomes visible
            fail(batch, new KafkaUnavailableException("Kafka did not take the events: " + reason(e), false));
            return;
        }
        try {
            producer.kafka().commitTransaction();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            fail(batch, new KafkaUnavailableException("Kafka did not answer the commit in time", true));
            return;
        } catch (Exception e) {
            fail(batch, new KafkaUnavailableException("Kafka refused the commit: " + reason(e), false));
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
     * Sends the batch and flushes it, so it goes out now rather than at linger's end; returns once every
     * record is acked or expired (flush is bounded by the delivery timeout and runs every callback first).
     */
    private void sendAll(List<PendingWrite> batch) throws Exception {
        var failure = new AtomicReference<Exception>();
        for (PendingWrite write : batch) {
            for (var record : write.records()) {
                producer.kafka().send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
        }
        producer.kafka().flush();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void fail(List<PendingWrite> batch, KafkaUnavailableException failure) {
        LOG.warnf("Raw-event transaction of %d requests failed (%s); opening a new producer for the next one",
                batch.size(), failure.getMessage());
        batch.forEach(write -> write.outcome().completeExceptionally(failure));
        closeProducer(Duration.ZERO);
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            producer.close(timeout);
            producer = null;
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops taking new work once the queue is empty and closes the producer. */
    void stop() {
        running = false;
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

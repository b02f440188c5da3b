package io.freshet.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Batches of 100 realistic events (about 200 bytes each, the gateway gives them their ids) posted to the gateway,
 * rotating over the tenants' keys, either open loop at a rate (a batch is due every interval whatever the answers; one
 * that waits for a free connection waits on its own latency, so a slow gateway cannot slow the offered load down
 * unseen) or flat out (each connection posts its next batch as soon as the last is answered).
 */
final class LoadGenerator {

    static final int BATCH = 100;
    private static final String[] TYPES = {"page.viewed", "order.created", "cart.updated", "search.performed", "session.started"};
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private final Http http;
    private final List<byte[]> bodies = new ArrayList<>();

    LoadGenerator(Http http) {
        this.http = http;
        for (int b = 1; b <= 20; b++) {
            var body = new StringBuilder("[");
            for (int i = 1; i <= BATCH; i++) {
                int n = b * BATCH + i;
                body.append(i > 1 ? "," : "").append("""
                        {"type":"%s","user_id":"user-%d","session_id":"s-%d","properties":{"path":"/products/%d",\
                        "referrer":"https://example.com/search?q=item%d","price":%d.%02d,"currency":"EUR","in_stock":true}}"""
                        .formatted(TYPES[n % TYPES.length], n % 5000, n % 900, n % 10000, n % 977, n % 300, n % 100));
            }
            bodies.add(body.append(']').toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * What the gateway answered a load: requests, events accepted and rejected in 202s, other answers by status,
     * requests that got no answer, each request's latency (ms, from when it was due), and events accepted per second.
     */
    record Result(long requests, long accepted, long rejected, Map<Integer, Long> otherStatuses, long unanswered,
                  Histogram latencyMs, double seconds, long[] acceptedEachSecond) {

        double acceptedPerSecond() {
            return accepted / seconds;
        }
    }

    /** Open loop: {@code eventsPerSecond} offered for {@code duration}, with at most {@code connections} requests in flight. */
    Result paced(List<String> keys, int eventsPerSecond, Duration duration, int connections) throws InterruptedException {
        return run(keys, duration, connections, Duration.ofSeconds(1).toNanos() * BATCH / eventsPerSecond);
    }

    /** Closed loop: as fast as the gateway answers {@code connections} senders. */
    Result flatOut(List<String> keys, Duration duration, int connections) throws InterruptedException {
        return run(keys, duration, connections, 0);
    }

    private Result run(List<String> keys, Duration duration, int connections, long intervalNanos) throws InterruptedException {
        var slots = new Semaphore(connections);
        var latency = new ConcurrentHistogram(3);
        var accepted = new AtomicLong();
        var rejected = new AtomicLong();
        var unanswered = new AtomicLong();
        Map<Integer, Long> others = new TreeMap<>();
        var perSecond = new AtomicLongArray((int) duration.toSeconds() + (int) DRAIN.toSeconds() + 2);
        var lastAnswer = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long requests = 0;
        while (true) {
            long due = intervalNanos > 0 ? start + requests * intervalNanos : System.nanoTime();
            if (due - end >= 0) {
                break;
            }
            if (intervalNanos > 0) {
                parkUntil(due);
            }
            slots.acquire();
            long sentDue = intervalNanos > 0 ? due : System.nanoTime();
            int n = (int) (requests++ % (keys.size() * bodies.size()));
            http.postEvents(keys.get(n % keys.size()), bodies.get(n % bodies.size())).whenComplete((answer, failure) -> {
                long now = System.nanoTime();
                latency.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMillis(now - sentDue)));
                lastAnswer.accumulateAndGet(now, Math::max);
                if (failure != null) {
                    unanswered.incrementAndGet();
                } else if (answer.status() == 202) {
                    accepted.addAndGet(answer.accepted());
                    rejected.addAndGet(answer.rejected());
                    perSecond.addAndGet((int) Math.min(perSecond.length() - 1, (now - start) / 1_000_000_000L), answer.accepted());
                } else {
                    synchronized (others) {
                        others.merge(answer.status(), 1L, Long::sum);
                    }
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(connections, DRAIN.toSeconds(), TimeUnit.SECONDS)) {
            throw new BenchException("requests still unanswered " + DRAIN.toSeconds() + " s after the load ended");
        }
        long[] series = new long[(int) Math.ceil((lastAnswer.get() - start) / 1e9)];
        for (int s = 0; s < series.length; s++) {
            series[s] = perSecond.get(s);
        }
        return new Result(requests, accepted.get(), rejected.get(), others, unanswered.get(), latency,
                (lastAnswer.get() - start) / 1e9, series);
    }

    /** Waits until {@code nanoTime} ({@link System#nanoTime()}): a load's pace. */
    static void parkUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}

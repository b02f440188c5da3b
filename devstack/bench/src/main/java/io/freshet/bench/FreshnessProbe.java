package io.freshet.bench;

import com.clickhouse.client.api.query.GenericRecord;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Freshness as a user sees it: a marker event (its own tenant, its own id) every 200 ms through the gateway beside the
 * load, and ClickHouse asked every 50 ms which markers are queryable. A marker's freshness is from its 202 to the end of
 * the first query that returned it, so it includes up to one poll interval and the query's own time.
 */
final class FreshnessProbe implements AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(200);
    /** Each poll costs ClickHouse a few ms of CPU: every 20 ms, the instrument took a fifth of a core from the stack. */
    private static final Duration POLL = Duration.ofMillis(50);

    /** A marker's freshness, by when it was accepted (seconds since the run started). */
    record Sample(double acceptedAtSeconds, long freshnessMs) {
    }

    private final Http http;
    private final Warehouse warehouse;
    private final String tenant;
    private final String apiKey;
    private final long runStart;
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
    /** Accepted markers not queryable yet: id → nanoTime of the 202. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Histogram freshness = new Histogram(3);
    private final List<Sample> samples = new ArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong polls = new AtomicLong();
    /** Only the poll thread reads and writes it. */
    private boolean failing;

    FreshnessProbe(Http http, Warehouse warehouse, String tenant, String apiKey, long runStart) {
        this.http = http;
        this.warehouse = warehouse;
        this.tenant = tenant;
        this.apiKey = apiKey;
        this.runStart = runStart;
    }

    private static String pollQuery(String tenant, Collection<String> ids) {
        return "SELECT toString(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "' AND event_id IN ("
                + Warehouse.quoted(ids) + ")";
    }

    /**
     * ClickHouse's CPU seconds for one poll, measured on the idle stack: the probe's polls are part of ClickHouse's
     * CPU during a load (20 a second), which the report tells apart from what the pipeline costs it.
     */
    static double clickHouseSecondsPerPoll(Warehouse warehouse, Processes processes) {
        int polls = 200;
        double before = processes.cpuSeconds().getOrDefault("clickhouse", 0.0);
        for (int i = 0; i < polls; i++) {
            warehouse.query(pollQuery("bench-calibration", List.of(UUID.randomUUID().toString())));
        }
        return (processes.cpuSeconds().getOrDefault("clickhouse", 0.0) - before) / polls;
    }

    /** The polls made so far. */
    long polls() {
        return polls.get();
    }

    void start() {
        threads.scheduleAtFixedRate(this::send, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        threads.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void send() {
        String id = UUID.randomUUID().toString();
        byte[] body = ("{\"type\":\"bench.marker\",\"event_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
        http.postEvents(apiKey, body).whenComplete((answer, failure) -> {
            if (failure == null && answer.status() == 202) {
                pending.put(id, System.nanoTime());
            } else {
                refused.incrementAndGet();
            }
        });
    }

    private void poll() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            polls.incrementAndGet();
            List<GenericRecord> found = warehouse.query(pollQuery(tenant, pending.keySet()));
            long now = System.nanoTime();
            for (GenericRecord row : found) {
                Long acceptedAt = pending.remove(row.getString(1));
                if (acceptedAt != null) {
                    long ms = TimeUnit.NANOSECONDS.toMillis(now - acceptedAt);
                    synchronized (this) {
                        freshness.recordValue(Math.max(1, ms));
                        samples.add(new Sample((acceptedAt - runStart) / 1e9, ms));
                    }
                }
            }
            if (failing) {
                failing = false;
                System.err.println("bench: freshness polls work again");
            }
        } catch (RuntimeException e) {
            if (!failing) { // once per streak: an outage would print fifty lines a second
                failing = true;
                System.err.println("bench: a freshness poll failed (" + e.getMessage() + "); polling on");
            }
        }
    }

    /** Markers stop; waits up to {@code drain} for the accepted ones to become queryable. */
    void stopSending(Duration drain) throws InterruptedException {
        threads.shutdown();
        threads.awaitTermination(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + drain.toNanos();
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            poll();
            Thread.sleep(POLL);
        }
    }

    synchronized Histogram freshness() {
        return freshness.copy();
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Markers the gateway did not accept, and accepted ones never seen in ClickHouse: lost, as far as a user can tell. */
    int missing() {
        return refused() + unseen();
    }

    /** Markers the gateway refused or did not answer (they are not sent again). */
    int refused() {
        return refused.get();
    }

    /** Markers the gateway accepted that were never seen in ClickHouse. */
    int unseen() {
        return pending.size();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}

package io.freshet.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The load of a chaos run, sent as a careful client sends: batches of events with ids of its own, at a steady rate;
 * a batch that gets a 503, a 429, a timeout or no answer at all is sent again, the same ids, until the gateway
 * accepts it (or, after {@link #GIVE_UP}, the client gives up on it). It remembers every id it sent and every id
 * that was acknowledged: the checks compare those with what ClickHouse holds.
 */
final class ChaosLoad {

    static final int BATCH = 100;
    /** Batches in flight or waiting to be retried; more waits, as a client with a bounded buffer does. */
    private static final int IN_FLIGHT = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration GIVE_UP = Duration.ofMinutes(3);
    private static final long MAX_BACKOFF_MS = 2000;

    /** What the load sent and what the gateway acknowledged, and how. */
    record Result(Set<UUID> attempted, Set<UUID> acknowledged, long batches, long retries, long gaveUp,
                  Map<Integer, Long> refusedByStatus, long[] acknowledgedEachSecond) {
    }

    private final Http http;
    private final String apiKey;
    private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor();
    private final Set<UUID> attempted = ConcurrentHashMap.newKeySet();
    private final Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();
    private final Map<Integer, Long> refused = new TreeMap<>();
    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private AtomicLongArray perSecond;
    private long start;

    ChaosLoad(Http http, String apiKey) {
        this.http = http;
        this.apiKey = apiKey;
    }

    Result run(int eventsPerSecond, Duration duration) throws InterruptedException {
        try {
            perSecond = new AtomicLongArray((int) (duration.toSeconds() + GIVE_UP.toSeconds() + TIMEOUT.toSeconds() + 2));
            start = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) * BATCH / eventsPerSecond;
            long batches = 0;
            for (long due = start; due - (start + duration.toNanos()) < 0; due += interval) {
                LoadGenerator.parkUntil(due);
                slots.acquire();
                UUID[] ids = new UUID[BATCH];
                byte[] body = body(batches++, ids);
                attempted.addAll(Arrays.asList(ids));
                send(body, ids, System.nanoTime() + GIVE_UP.toNanos(), 250);
            }
            if (!slots.tryAcquire(IN_FLIGHT, GIVE_UP.toSeconds() + TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new BenchException("batches still unsettled after the client's give-up time");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] series = new long[(int) Math.min(Math.ceil(seconds), perSecond.length())];
            for (int s = 0; s < series.length; s++) {
                series[s] = perSecond.get(s);
            }
            return new Result(attempted, acknowledged, batches, retries.get(), gaveUp.get(), refused, series);
        } finally {
            retryTimer.shutdown();
        }
    }

    /** One attempt of a batch; what may have failed on the way is sent again after a backoff, the same ids. */
    private void send(byte[] body, UUID[] ids, long giveUpAt, long backoffMs) {
        http.postEvents(apiKey, body, TIMEOUT).whenComplete((answer, failure) -> {
            if (failure == null && answer.status() == 202) {
                acknowledged.addAll(Arrays.asList(ids));
                perSecond.addAndGet((int) Math.min(perSecond.length() - 1, (System.nanoTime() - start) / 1_000_000_000L), BATCH);
                slots.release();
            } else if (failure != null || answer.status() == 429 || answer.status() >= 500) {
                if (System.nanoTime() - giveUpAt > 0) {
                    gaveUp.incrementAndGet();
                    slots.release();
                    return;
                }
                retries.incrementAndGet();
                retryTimer.schedule(() -> send(body, ids, giveUpAt, Math.min(MAX_BACKOFF_MS, backoffMs * 2)),
                        backoffMs, TimeUnit.MILLISECONDS);
            } else {
                synchronized (refused) {
                    refused.merge(answer.status(), 1L, Long::sum);
                }
                slots.release();
            }
        });
    }

    private static byte[] body(long batch, UUID[] ids) {
        var body = new StringBuilder(BATCH * 120).append('[');
        for (int i = 0; i < BATCH; i++) {
            ids[i] = UUID.randomUUID();
            long n = batch * BATCH + i;
            body.append(i > 0 ? "," : "").append("{\"event_id\":\"").append(ids[i]).append("\",\"type\":\"chaos.event\",")
                    .append("\"user_id\":\"user-").append(n % 1000).append("\",\"properties\":{\"seq\":").append(n).append("}}");
        }
        return body.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }
}

package io.freshet.router.sink;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Tries a step again, with a doubling backoff, until it succeeds or the caller gives up: never skips it. */
public final class Retry {

    private static final Logger LOG = Logger.getLogger(Retry.class);

    /** Waits between attempts (the tests' waits are instant). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    /** Steps waiting to be tried again now: a gauge. */
    private final AtomicInteger retrying = new AtomicInteger();
    private volatile boolean stopped;

    public Retry(Duration initialBackoff, Duration maxBackoff, Sleeper sleeper) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.sleeper = sleeper;
    }

    public AtomicInteger retrying() {
        return retrying;
    }

    /** Every step being retried gives up after its next attempt: the service stops. */
    public void stop() {
        stopped = true;
    }

    /**
     * The step's result, or null when {@code keepTrying} said no after a failure, or the service stops (or the thread
     * was interrupted).
     */
    public <T> T until(Callable<T> step, BooleanSupplier keepTrying, String what) {
        Duration backoff = initialBackoff;
        try {
            while (true) {
                try {
                    return step.call();
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    LOG.warnf("%s failed (%s); again in %s", what, e.getCause() != null ? e.getCause() : e, backoff);
                }
                retrying.incrementAndGet();
                try {
                    sleeper.sleep(backoff);
                } finally {
                    retrying.decrementAndGet();
                }
                if (stopped || !keepTrying.getAsBoolean()) {
                    return null;
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}

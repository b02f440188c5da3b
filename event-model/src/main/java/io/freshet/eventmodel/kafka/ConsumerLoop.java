package io.freshet.eventmodel.kafka;

import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service's own consume loop on a thread of its own: started once, stopped by waking its consumer, and asked by the
 * health checks whether it still runs. Subclasses write only what one turn of their loop does.
 */
public abstract class ConsumerLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Consumer<?, ?> consumer;

    /** As the health checks and logs show it. */
    public abstract String name();

    /** Runs the loop while {@link #running()}; the consumer it opens goes through {@link #wakeable} first. */
    protected abstract void consume() throws InterruptedException;

    /** Whatever the loop holds besides its consumer, released when it ends however it ends. */
    protected void release() {
    }

    public void start(String threadName) {
        Thread.ofPlatform().name(threadName).start(this);
    }

    @Override
    public final void run() {
        try {
            consume();
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "The %s stopped", name());
        } finally {
            release();
            stopped.countDown();
        }
    }

    /** The loop's consumer, which {@link #stop} wakes. */
    protected <C extends Consumer<?, ?>> C wakeable(C consumer) {
        this.consumer = consumer;
        return consumer;
    }

    protected boolean running() {
        return running;
    }

    /** False once the loop has ended. */
    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    @PreDestroy
    public void stop() {
        running = false;
        Consumer<?, ?> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

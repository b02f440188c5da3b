package io.freshet.router.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What the routes do when a stream thread fails: replace it, so it resumes from the last committed transaction.
 * Kafka Streams' default shuts the routes down for good: a router started while the schema registry was away (its
 * first record could not be read) billed and alerted on nothing more until restarted (a chaos round found it). Every
 * failure known here is passing (the registry, Kafka); the new thread waits a second first, so an outage is retried
 * about once a second, not in a tight loop. Quarkus gives the routes this bean before it starts them.
 */
@ApplicationScoped
public class RouteFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(RouteFailures.class);
    static final long PAUSE_MILLIS = 1000;

    private final Counter replaced;

    public RouteFailures(MeterRegistry meters) {
        this.replaced = Counter.builder("freshet.routes.threads.replaced")
                .description("Stream threads of the alert and billing routes replaced after a failure").register(meters);
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable failure) {
        LOG.warnf("A thread of the alert and billing routes failed (%s); replacing it, from the last committed transaction",
                rootCause(failure));
        replaced.increment();
        try {
            Thread.sleep(PAUSE_MILLIS); // on the failed thread: its replacement starts after it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == failure ? failure.toString() : failure + ", caused by " + cause;
    }
}

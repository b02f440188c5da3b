package io.freshet.router.route;

import io.freshet.eventmodel.kafka.KafkaConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the routes do when a stream thread fails: replace it, so it resumes from the last committed transaction.
 * Kafka Streams' default shuts the routes down for good: a router started while the schema registry was away (its
 * first record could not be read) billed and alerted on nothing more until restarted (a chaos round found it). Every
 * failure known here is passing (the registry, Kafka); the new thread waits a second first, so an outage is retried
 * about once a second, not in a tight loop. The failed thread's static group membership is removed with it: its
 * replacement joins under the next thread number, and the group would otherwise keep the dead member's tasks, billing
 * nothing, until its session expired (15 s). Quarkus gives the routes this bean before it starts them.
 */
@ApplicationScoped
public class RouteFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(RouteFailures.class);
    static final long PAUSE_MILLIS = 1000;

    /** Kafka Streams names its threads {@code <client id>-StreamThread-<n>} and their members {@code <instance id>-<n>}. */
    private static final String THREAD_NUMBER = "-StreamThread-";
    private static final int REMOVAL_TIMEOUT_MILLIS = 5000;

    private final Counter replaced;
    private final KafkaConnection kafka;
    private final String group;
    private final String instanceId;

    public RouteFailures(MeterRegistry meters, KafkaConnection kafka,
                         @ConfigProperty(name = "quarkus.kafka-streams.application-id") String group,
                         @ConfigProperty(name = "kafka-streams.main.consumer.group.instance.id") String instanceId) {
        this.replaced = Counter.builder("freshet.routes.threads.replaced")
                .description("Stream threads of the alert and billing routes replaced after a failure").register(meters);
        this.kafka = kafka;
        this.group = group;
        this.instanceId = instanceId;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable failure) {
        LOG.warnf("A thread of the alert and billing routes failed (%s); replacing it, from the last committed transaction",
                rootCause(failure));
        replaced.increment();
        leaveGroup(Thread.currentThread().getName());
        try {
            Thread.sleep(PAUSE_MILLIS); // on the failed thread: its replacement starts after it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private void leaveGroup(String threadName) {
        int at = threadName.lastIndexOf(THREAD_NUMBER);
        if (at < 0) {
            return;
        }
        String member = instanceId + "-" + threadName.substring(at + THREAD_NUMBER.length());
        Admin admin = null;
        try {
            admin = Admin.create(kafka.admin(Map.of()));
            var options = new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(member)));
            admin.removeMembersFromConsumerGroup(group, options.timeoutMs(REMOVAL_TIMEOUT_MILLIS)).all()
                    .get(REMOVAL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Kafka away too (or the member gone already): its session expires as before; the thread is replaced anyway
            LOG.infof("The failed thread's member %s was not removed from the group (%s); its session will expire", member, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO); // nothing left to wait for: the failed thread must not wait on Kafka
            }
        }
    }

    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == failure ? failure.toString() : failure + ", caused by " + cause;
    }
}

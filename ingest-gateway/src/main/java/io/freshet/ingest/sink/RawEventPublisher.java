package io.freshet.ingest.sink;

import io.freshet.eventmodel.event.RawRecords;
import io.freshet.eventmodel.event.RawEvent;
import io.freshet.eventmodel.trace.EventTracing;
import io.freshet.ingest.config.IngestConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes accepted events to freshet.events.raw and returns only when they are committed there.
 * <p>
 * Requests queue here; a committer thread per raw-event channel takes everything queued and writes it in one Kafka
 * transaction of its channel's producer (group commit), while the other channel's transaction is on its way. A request is answered 202 only after its transaction committed; if the
 * transaction fails it is aborted, so read_committed readers (the enricher) never see any of its events
 * and the 503 the request gets means "nothing stored". A request still queued at its admission deadline
 * is refused without being sent. The one case Kafka cannot decide in time, a commit whose answer never
 * came, is reported as unknown (see {@link KafkaUnavailableException#outcomeUnknown()}). Built at start, so the
 * producers are open before the first request.
 * <p>
 * The channels and their Kafka settings are in application.properties; the emitters only declare them to the
 * messaging extension, which then makes their producers (see {@link TransactionCommitter} for why the records do
 * not go through the emitters).
 */
@Startup
@ApplicationScoped
public class RawEventPublisher {

    /** Two transactional channels to freshet.events.raw: while one commits, the next transaction fills. */
    static final String FIRST_CHANNEL = "raw-events-0";
    static final String SECOND_CHANNEL = "raw-events-1";

    private final RawRecords records;
    private final Duration ackTimeout;
    private final Duration admission;
    private final BlockingQueue<PendingWrite> queue;
    private final List<TransactionCommitter> committers = new ArrayList<>();
    private final List<String> notOnKafka = new ArrayList<>();
    private final Timer ackLatency;

    public RawEventPublisher(IngestConfig config, KafkaClientService kafka,
                             // they declare the channels, whose producers the extension then makes; nothing is sent through them
                             @Channel(FIRST_CHANNEL) MutinyEmitter<byte[]> first,
                             @Channel(SECOND_CHANNEL) MutinyEmitter<byte[]> second,
                             RawRecords records, MeterRegistry meters) {
        this.records = records;
        this.ackTimeout = config.ackTimeout();
        // what is left of the bound once queued: the transaction itself may take up to its commit budget
        this.admission = ackTimeout.minus(commitBudget(config.producer()));
        if (!admission.isPositive()) {
            throw new IllegalArgumentException("freshet.ingest.ack-timeout (" + ackTimeout + ") must be longer than a "
                    + "transaction's worst case (" + commitBudget(config.producer()) + "), or every request would be refused");
        }
        if (config.producer().deliveryTimeoutMs() < config.producer().maxBlockMs() + config.producer().lingerMs()) {
            // Kafka refuses such a producer only when the channel makes it, at the first transaction
            throw new IllegalArgumentException("freshet.ingest.producer.delivery-timeout-ms must be at least max-block-ms + linger-ms");
        }
        this.queue = new ArrayBlockingQueue<>(config.maxQueuedRequests());
        this.ackLatency = Timer.builder("freshet.ingest.kafka.ack")
                .description("Time from queuing a request's events until their Kafka transaction committed")
                .publishPercentileHistogram().register(meters);
        meters.gaugeCollectionSize("freshet.ingest.queued.requests", List.of(), queue);
        // a transaction never waits for buffer space its own records hold
        long maxTransactionBytes = config.producer().bufferMemory() / 4;
        for (String channel : List.of(FIRST_CHANNEL, SECOND_CHANNEL)) {
            KafkaProducer<String, byte[]> producer = kafka.getProducer(channel);
            if (producer == null) { // another connector (a test's in-memory one): nothing can commit through it
                notOnKafka.add(channel);
                continue;
            }
            var committer = new TransactionCommitter(channel, producer, queue, maxTransactionBytes,
                    config.producer().transactionGather(), meters);
            Thread.ofPlatform().name("raw-event-committer-" + channel).daemon().start(committer);
            committers.add(committer);
        }
    }

    /**
     * The longest one transaction can take once it took a request: its gather time, then begin, send and commit wait at
     * most max-block each, the acks the delivery timeout.
     */
    private static Duration commitBudget(IngestConfig.Producer producer) {
        return producer.transactionGather().plusMillis(3L * producer.maxBlockMs() + producer.deliveryTimeoutMs());
    }

    /** Blocks (on a virtual thread) until the events are committed to Kafka, or throws having stored nothing. */
    public void publish(List<RawEvent> events) {
        long start = System.nanoTime();
        var spans = new ArrayList<Span>(events.size());
        var write = new PendingWrite(records.of(events, spans), start + admission.toNanos());
        try {
            await(write);
        } catch (KafkaUnavailableException e) {
            spans.forEach(span -> EventTracing.fail(span, e));
            throw e;
        }
        ackLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        spans.forEach(Span::end);
    }

    private void await(PendingWrite write) {
        if (committers.stream().allMatch(c -> c.broken() != null)) {
            throw new KafkaUnavailableException("no raw-event channel can take transactions: " + broken().orElseThrow(), false);
        }
        if (!queue.offer(write)) {
            throw new KafkaUnavailableException("too many requests are waiting for Kafka", false);
        }
        try {
            // the committer answers every write within the bound; the timeout only guards against a bug there
            write.outcome().get(ackTimeout.toNanos() * 2, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaUnavailableException unavailable ? unavailable
                    : new KafkaUnavailableException(e.getCause().getMessage(), true);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaUnavailableException("no answer from the committer within " + ackTimeout.toMillis() * 2 + " ms", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for Kafka", true);
        }
    }

    /** True once every channel's producer registered its transactional id, and none is broken since. */
    public boolean ready() {
        return broken().isEmpty() && committers.stream().allMatch(TransactionCommitter::opened);
    }

    /** Why a channel cannot take transactions (any more: fenced, not authorized), if one cannot. */
    public Optional<String> broken() {
        if (!notOnKafka.isEmpty()) {
            return Optional.of("the channels " + notOnKafka + " have no Kafka producer: their connector is not smallrye-kafka");
        }
        return committers.stream().map(TransactionCommitter::broken).filter(Objects::nonNull).findFirst();
    }

    @PreDestroy
    void close() {
        committers.forEach(TransactionCommitter::stop); // commits what is queued; those requests are still waiting
    }
}

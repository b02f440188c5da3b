package io.freshet.router.redrive;

import io.freshet.router.config.RouterConfig;
import io.freshet.router.admin.AdminJobs;
import io.freshet.router.deadletter.DeadLetterFilter;
import io.freshet.router.deadletter.DeadLetterQueue;
import io.freshet.router.deadletter.DeadLetterReader;
import io.freshet.router.deadletter.FoundLetter;
import io.freshet.router.deadletter.LetterPayloads;
import io.freshet.router.storage.StoredEvents;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends the filter's dead letters of freshet.events.raw back to it, for the pipeline to process them again once their
 * cause is fixed (the rules changed, the tenant unpaused, the registry back), and follows what becomes of each: stored
 * in freshet.events or dead-lettered again. An event freshet.events already holds is not sent (the enricher's dedup
 * would drop it anyway; the report says so). It reads the DLQ up to its end when the redrive starts, in blocks; the
 * letters written after that are the ones it watches for. One redrive runs at a time.
 */
@ApplicationScoped
public class DeadLetterRedrive {

    private static final Logger LOG = Logger.getLogger(DeadLetterRedrive.class);
    /** Letters checked against ClickHouse and sent at a time. */
    static final int BLOCK = 5000;

    private final DeadLetterQueue dlq;
    private final LetterPayloads payloads;
    private final StoredEvents storedEvents;
    private final RawEventSender sender;
    private final RouterConfig.Redrive config;
    private final MeterRegistry meters;
    private final AdminJobs<Redrive> redrives = new AdminJobs<>("redrive");

    public DeadLetterRedrive(DeadLetterQueue dlq, LetterPayloads payloads, StoredEvents storedEvents, RawEventSender sender,
                             RouterConfig config, MeterRegistry meters) {
        this.dlq = dlq;
        this.payloads = payloads;
        this.storedEvents = storedEvents;
        this.sender = sender;
        this.config = config.redrive();
        this.meters = meters;
    }

    /** Starts it in the background; empty when another redrive is running. */
    public Optional<Redrive> start(DeadLetterFilter filter) {
        return redrives.start(id -> new Redrive(id, filter, Redrive.State.RUNNING, 0, 0, 0, 0, Map.of(), 0, 0, Map.of(), 0,
                null, null, Instant.now(), null), this::run);
    }

    public Optional<Redrive> find(String id) {
        return redrives.find(id);
    }

    public Optional<String> running() {
        return redrives.running();
    }

    private void run(Redrive started) {
        LOG.infof("Redrive %s of %s started", started.id(), started.request());
        RedriveTally tally = new RedriveTally(started);
        Redrive.State state = Redrive.State.DONE;
        String error = null;
        try (DeadLetterReader reader = dlq.reader("redrive-" + started.id())) {
            Map<TopicPartition, Long> ends = reader.startAt(started.request().since());
            List<RedrivenEvent> block = new ArrayList<>();
            reader.readTo(ends, letter -> {
                if (started.request().matches(letter)) {
                    tally.take(letter, payloads.rawEvent(letter.letter())).ifPresent(block::add);
                }
                if (block.size() >= BLOCK) {
                    redrive(started.id(), block, tally);
                }
            });
            redrive(started.id(), block, tally);
            follow(reader, tally);
        } catch (Exception e) {
            LOG.errorf(e, "Redrive %s failed", started.id());
            state = Redrive.State.FAILED;
            error = e.toString();
        }
        Redrive ended = tally.snapshot(state, error);
        redrives.end(ended.id(), ended);
        count("skipped", ended.skipped());
        count("pending", ended.pending());
        LOG.infof("Redrive %s %s: read %d, redriven %d (stored %d, dead-lettered again %d, pending %d), "
                        + "already stored %d, skipped %d", ended.id(), state.name().toLowerCase(), ended.read(),
                ended.redriven(), ended.stored(), ended.deadLetteredAgain(), ended.pending(), ended.alreadyStored(),
                ended.skipped());
    }

    /** Sends the block's events that freshet.events lacks; empties the block. */
    private void redrive(String id, List<RedrivenEvent> block, RedriveTally tally) throws Exception {
        if (block.isEmpty()) {
            return;
        }
        Set<StoredEvents.Key> present = storedEvents.present(block.stream().map(RedrivenEvent::key).toList());
        List<RedrivenEvent> missing = block.stream().filter(event -> !present.contains(event.key())).toList();
        sender.send(id, missing);
        tally.alreadyStored(block.size() - missing.size());
        missing.forEach(tally::redriven);
        count("already_stored", block.size() - missing.size());
        count("redriven", missing.size());
        block.clear();
        publish(tally);
    }

    /** Until each event sent is stored or dead-lettered again, or the time is up. */
    private void follow(DeadLetterReader reader, RedriveTally tally) throws Exception {
        Instant until = Instant.now().plus(config.followTimeout());
        tally.following(until);
        publish(tally);
        while (tally.following() && Instant.now().isBefore(until)) {
            reader.poll(letter -> againOf(letter, tally));
            count("stored", tally.stored(storedEvents.present(tally.pending())));
            publish(tally);
        }
    }

    private void againOf(FoundLetter letter, RedriveTally tally) {
        payloads.eventOf(letter.letter()).filter(event -> tally.deadLetteredAgain(event, letter.reason()))
                .ifPresent(event -> count("dead_lettered_again", 1));
    }

    private void publish(RedriveTally tally) {
        Redrive progress = tally.snapshot(Redrive.State.RUNNING, null);
        redrives.update(progress.id(), progress);
    }

    private void count(String result, long events) {
        meters.counter("freshet.redrive.events", "result", result).increment(events);
    }

    @PreDestroy
    void stop() {
        redrives.close();
    }
}

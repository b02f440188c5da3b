package io.freshet.router.sink;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** The offsets of a consumer's group, read and committed on the consumer's polling thread. */
public final class ConsumerOffsets implements OffsetStore {

    /** Runs a piece of work on the thread that polls the consumer (where its assignment changes) and returns its result. */
    public interface PollingThread {
        <T> T run(Function<Consumer<?, ?>, T> work);
    }

    private final PollingThread pollingThread;

    public ConsumerOffsets(PollingThread pollingThread) {
        this.pollingThread = pollingThread;
    }

    /** For a caller on the polling thread already: a rebalance listener, a test. */
    public static ConsumerOffsets of(Consumer<?, ?> consumer) {
        return new ConsumerOffsets(new PollingThread() {
            @Override
            public <T> T run(Function<Consumer<?, ?>, T> work) {
                return work.apply(consumer);
            }
        });
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return pollingThread.run(c -> {
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(c.committed(partitions));
            committed.values().removeIf(Objects::isNull);
            return committed;
        });
    }

    @Override
    public boolean commitAll(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held) {
        return pollingThread.run(c -> {
            if (!offsets.keySet().stream().allMatch(held)) {
                return false;
            }
            c.commitSync(offsets);
            return true;
        });
    }

    @Override
    public Set<TopicPartition> commitHeld(Map<TopicPartition, OffsetAndMetadata> offsets, Predicate<TopicPartition> held) {
        return pollingThread.run(c -> {
            Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>(offsets);
            owned.keySet().removeIf(held.negate());
            if (!owned.isEmpty()) {
                c.commitSync(owned);
            }
            return Set.copyOf(owned.keySet());
        });
    }
}

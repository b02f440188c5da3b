package io.freshet.router.stream;

import io.freshet.router.sink.Manifest;
import io.freshet.router.sink.RangeReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Reads a manifest's ranges with a reader of its own, in no group, as the lane's consumer read them (committed records
 * only): a batch is re-formed rarely, after a crash or a rebalance, so the reader lives for one batch.
 */
final class KafkaRangeReader implements RangeReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final RouterClients clients;
    private final String clientId;

    KafkaRangeReader(RouterClients clients, String clientId) {
        this.clients = clients;
        this.clientId = clientId;
    }

    @Override
    public List<ConsumerRecord<String, SpecificRecord>> read(Manifest manifest) throws TimeoutException {
        Map<Integer, List<ConsumerRecord<String, SpecificRecord>>> read = new HashMap<>();
        try (KafkaConsumer<String, SpecificRecord> reader = clients.batchReader(clientId)) {
            reader.assign(manifest.partitions());
            Set<TopicPartition> open = new HashSet<>(manifest.partitions());
            for (Manifest.Member member : manifest.members()) {
                reader.seek(new TopicPartition(manifest.topic(), member.partition()), member.first());
                read.put(member.partition(), new ArrayList<>());
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!open.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("Kafka gave " + open + " no records up to the end of " + manifest + " within " + TIMEOUT);
                }
                for (var record : reader.poll(Duration.ofMillis(200))) {
                    if (record.offset() <= manifest.member(record.partition()).orElseThrow().last()) {
                        read.get(record.partition()).add(record);
                    }
                }
                open.removeIf(partition -> reader.position(partition) > manifest.member(partition.partition()).orElseThrow().last());
                reader.pause(reader.assignment().stream().filter(p -> !open.contains(p)).toList());
            }
        }
        return manifest.members().stream().flatMap(m -> read.get(m.partition()).stream()).toList();
    }
}

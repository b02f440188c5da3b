package io.freshet.router.sink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * One insert: its manifest, its records (member by member, as the manifest lists them; none yet for a batch to
 * re-form from the manifest), and the queues of the members this instance held when it formed the batch: a member
 * whose queue has changed since (revoked, or assigned anew) is no longer this batch's to commit.
 */
public record Batch(Manifest manifest, List<ConsumerRecord<String, SpecificRecord>> records,
                    Map<TopicPartition, PartitionQueue> queues) {

    public Batch {
        records = List.copyOf(records);
        queues = Map.copyOf(queues);
    }

    public SinkTable table() {
        return SinkTable.of(manifest.topic());
    }
}

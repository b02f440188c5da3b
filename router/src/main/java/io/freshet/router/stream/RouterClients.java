package io.freshet.router.stream;

import io.freshet.eventmodel.kafka.TopicReaders;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.router.route.RouteSerdes;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The router's Kafka clients besides its channels: readers of a topic's range on demand (a replay, the DLQ listing and
 * redrives), which a channel, a stream from a group's offsets, does not do.
 */
@ApplicationScoped
public class RouterClients {

    private final KafkaConnection kafka;
    private final RouteSerdes serdes;

    public RouterClients(KafkaConnection kafka, RouteSerdes serdes) {
        this.kafka = kafka;
        this.serdes = serdes;
    }

    /** Reads enriched events again for a replay, outside any group. */
    public KafkaConsumer<String, SpecificRecord> replayReader(String replayId) {
        return TopicReaders.reader(kafka, "router-replay-" + replayId, serdes.deserializer());
    }

    /** Reads a sink batch's records again, outside the lane's group (whose other members may own them). */
    public KafkaConsumer<String, SpecificRecord> batchReader(String clientId) {
        return TopicReaders.reader(kafka, clientId, serdes.deserializer());
    }

    /** Reads freshet.events.dlq (JSON dead letters) outside any group. */
    public KafkaConsumer<String, String> deadLetterReader(String clientId) {
        return TopicReaders.reader(kafka, clientId);
    }

    /** Where a lane's group stands on each partition: below it, every record is stored or being stored. */
    public Map<TopicPartition, OffsetAndMetadata> sinkOffsets(String group) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(kafka.admin(Map.of()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
    }
}

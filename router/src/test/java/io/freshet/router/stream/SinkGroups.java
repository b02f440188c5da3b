package io.freshet.router.stream;

import io.freshet.eventmodel.stack.LocalStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/** A sink lane's group offsets on the stack's Kafka, as an operator's admin client reads and sets them. */
final class SinkGroups {

    private SinkGroups() {
    }

    static Map<TopicPartition, OffsetAndMetadata> committed(SinkLane lane) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(lane.group()).partitionsToOffsetAndMetadata().get();
        }
    }

    /** Sets offsets of a lane whose routers are all stopped (Kafka refuses it for a group with members). */
    static void commit(SinkLane lane, Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
        try (Admin admin = admin()) {
            admin.alterConsumerGroupOffsets(lane.group(), offsets).all().get();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers()));
    }
}

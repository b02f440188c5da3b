package io.freshet.router.stream;

import io.freshet.eventmodel.stack.LocalStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** A sink lane's group offsets on the stack's Kafka, as an operator's admin client reads and sets them. */
final class SinkGroups {

    private SinkGroups() {
    }

    static Map<TopicPartition, OffsetAndMetadata> committed(SinkLane lane) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(lane.group()).partitionsToOffsetAndMetadata().get();
        }
    }

    /**
     * Sets offsets of a lane whose routers are all stopped, once the group is empty: Kafka refuses it while the group
     * has members, and a stopped router's static membership lasts until its session times out.
     */
    static void commit(SinkLane lane, Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(lane.group()))
                    .describedGroups().get(lane.group()).get().groupState() == GroupState.EMPTY);
            admin.alterConsumerGroupOffsets(lane.group(), offsets).all().get();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers()));
    }
}

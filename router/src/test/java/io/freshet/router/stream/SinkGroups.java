package io.freshet.router.stream;

import io.freshet.eventmodel.stack.LocalStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownMemberIdException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

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
     * Sets offsets of a lane whose routers are all stopped. Kafka refuses it while the group has members, and a stopped
     * router's static membership lasts until its session times out: its members are removed first, as an operator
     * would.
     */
    static void commit(SinkLane lane, Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
        try (Admin admin = admin()) {
            List<MemberToRemove> members = admin.describeConsumerGroups(List.of(lane.group())).describedGroups()
                    .get(lane.group()).get().members().stream()
                    .flatMap(member -> member.groupInstanceId().stream()).map(MemberToRemove::new).toList();
            if (!members.isEmpty()) {
                try {
                    admin.removeMembersFromConsumerGroup(lane.group(), new RemoveMembersFromConsumerGroupOptions(members))
                            .all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownMemberIdException)) {
                        throw e;
                    }
                    // its session expired meanwhile: gone already
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> groupState(admin, lane) == GroupState.EMPTY);
            admin.alterConsumerGroupOffsets(lane.group(), offsets).all().get();
        }
    }

    private static GroupState groupState(Admin admin, SinkLane lane) throws Exception {
        return admin.describeConsumerGroups(List.of(lane.group())).describedGroups().get(lane.group()).get().groupState();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers()));
    }
}

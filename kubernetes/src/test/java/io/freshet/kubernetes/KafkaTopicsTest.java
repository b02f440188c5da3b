package io.freshet.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.eventmodel.topic.TopicSpec;
import io.freshet.eventmodel.topic.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.freshet.kubernetes.Rendered.name;
import static io.freshet.kubernetes.Rendered.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Strimzi topics and cluster against the topics the services create (event-model's Topics.ALL). */
class KafkaTopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyPipelineTopicIsDeclaredAsTheServicesCreateIt(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        String cluster = name(rendered.only("Kafka"));
        for (TopicSpec topic : Topics.ALL) {
            JsonNode kafkaTopic = rendered.ofKind("KafkaTopic")
                    .filter(t -> t.at("/spec/topicName").asText(name(t)).equals(topic.name())).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + " has no KafkaTopic for " + topic.name()));
            assertEquals(cluster, kafkaTopic.at("/metadata/labels/strimzi.io~1cluster").asText(), topic.name() + "'s cluster");
            assertEquals(topic.partitions(), kafkaTopic.at("/spec/partitions").asInt(), topic.name() + "'s partitions");
            topic.configs().forEach((key, value) ->
                    assertEquals(value, kafkaTopic.path("spec").path("config").path(key).asText(), topic.name() + "'s " + key));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void replicationNeverAsksForMoreBrokersThanTheClusterHas(String overlay) {
        Rendered rendered = Rendered.of(overlay);
        int brokers = rendered.ofKind("KafkaNodePool")
                .filter(pool -> stream(pool.at("/spec/roles")).anyMatch(role -> role.asText().equals("broker")))
                .mapToInt(pool -> pool.at("/spec/replicas").asInt()).sum();
        rendered.ofKind("KafkaTopic").forEach(t -> assertTrue(t.at("/spec/replicas").asInt() <= brokers,
                overlay + ": " + name(t) + " wants more replicas than the " + brokers + " brokers"));
        JsonNode config = rendered.only("Kafka").at("/spec/kafka/config");
        config.properties().stream().filter(e -> e.getKey().endsWith("replication.factor")).forEach(e ->
                assertTrue(e.getValue().asInt() <= brokers, overlay + ": " + e.getKey() + " > " + brokers + " brokers"));
        assertTrue(config.path("min.insync.replicas").asInt() <= config.path("default.replication.factor").asInt());
        // the replication factor of the topics a service creates before the topic operator does
        String servicesFactor = rendered.ofKind("ConfigMap").map(c -> c.at("/data/FRESHET_TOPICS_REPLICATION_FACTOR"))
                .filter(JsonNode::isTextual).findFirst().orElseThrow().asText();
        assertTrue(Integer.parseInt(servicesFactor) <= brokers, overlay + ": FRESHET_TOPICS_REPLICATION_FACTOR " + servicesFactor);
    }
}

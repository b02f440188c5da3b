package io.freshet.eventmodel.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KafkaConnectionTest {

    /** What Quarkus gathers from kafka.* properties and KAFKA_* variables: connection settings and unrelated names. */
    private final KafkaConnection kafka = new KafkaConnection(Map.of(
            "bootstrap.servers", "kafka:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "ssl.truststore.location", "/etc/kafka/ca.p12",
            "port", "9192",                            // KAFKA_PORT, the local broker's
            "streams.processing.guarantee", "exactly_once_v2", // kafka-streams.*
            "acks", "1",
            "group.id", "enricher"));                  // Quarkus's default: the application's name

    @Test
    void everyClientGetsTheConnectionSettingsItKnowsAndItsOwnWin() {
        assertEquals(Map.of("bootstrap.servers", "kafka:9093", "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.location", "/etc/kafka/ca.p12"),
                kafka.consumer(Map.of()));
        assertEquals("g", kafka.consumer(Map.of("group.id", "g")).get("group.id"));
        assertEquals(Map.of("bootstrap.servers", "kafka:9093", "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.location", "/etc/kafka/ca.p12"),
                kafka.admin(Map.of()));
        assertEquals("kafka:9093", kafka.bootstrapServers());
    }
}

package io.freshet.eventmodel.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How every Freshet client reaches Kafka: the bootstrap servers and, on a real cluster, TLS and SASL, from the
 * {@code kafka.*} properties or {@code KAFKA_*} environment variables (Quarkus gathers them, e.g.
 * KAFKA_SECURITY_PROTOCOL=SASL_SSL, KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG, KAFKA_SSL_TRUSTSTORE_LOCATION).
 * Each client takes the settings of its own kind; its own settings win.
 */
@ApplicationScoped
public class KafkaConnection {

    private final Map<String, Object> settings;

    public KafkaConnection(@Identifier("default-kafka-broker") Map<String, Object> settings) {
        var connection = new HashMap<>(settings);
        // Quarkus adds the application's name as group.id: a reader "in no group" must stay in none
        connection.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.settings = Map.copyOf(connection);
    }

    public String bootstrapServers() {
        return String.valueOf(settings.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    public Map<String, Object> consumer(Map<String, Object> own) {
        return merge(ConsumerConfig.configNames(), own);
    }

    public Map<String, Object> admin(Map<String, Object> own) {
        return merge(AdminClientConfig.configNames(), own);
    }

    /** Only what the client knows: the {@code kafka.*} namespace also holds other things (e.g. the local broker's port). */
    private Map<String, Object> merge(Set<String> known, Map<String, Object> own) {
        Map<String, Object> merged = new HashMap<>();
        settings.forEach((name, value) -> {
            if (known.contains(name)) {
                merged.put(name, value);
            }
        });
        merged.putAll(own);
        return merged;
    }
}

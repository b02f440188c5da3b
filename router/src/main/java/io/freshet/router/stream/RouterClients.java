package io.freshet.router.stream;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.resolver.SchemaResolverConfig;
import io.freshet.eventmodel.kafka.GroupConsumers;
import org.apache.avro.specific.SpecificRecord;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/** The router's Kafka consumer, configured from application.properties. */
@ApplicationScoped
public class RouterClients {

    private final String bootstrapServers;
    private final String registryUrl;
    private final String instanceId;
    private final int maxPollRecords;

    public RouterClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                         @ConfigProperty(name = "freshet.registry.url") String registryUrl,
                         @ConfigProperty(name = "freshet.router.instance-id") String instanceId,
                         @ConfigProperty(name = "freshet.sink.batch-rows") int maxPollRecords) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.instanceId = instanceId;
        this.maxPollRecords = maxPollRecords;
    }

    /** Avro (enriched events, billing usage), read_committed, in the router group; offsets are committed by the router itself. */
    KafkaConsumer<String, SpecificRecord> consumer() {
        var values = new AvroKafkaDeserializer<SpecificRecord>();
        values.configure(Map.of(
                SerdeConfig.REGISTRY_URL, registryUrl,
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true,
                SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true), false);
        return GroupConsumers.staticMember(bootstrapServers, "freshet-router", "router-" + instanceId, maxPollRecords, values);
    }
}

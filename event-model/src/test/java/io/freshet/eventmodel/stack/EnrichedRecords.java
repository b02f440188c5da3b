package io.freshet.eventmodel.stack;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.freshet.eventmodel.record.EnrichedEvent;

import java.util.Map;

/** Reads {@link EnrichedEvent}s as the router does: Avro, its schema found in the stack's registry by id. */
public final class EnrichedRecords {

    private EnrichedRecords() {
    }

    public static AvroKafkaDeserializer<EnrichedEvent> deserializer() {
        var deserializer = new AvroKafkaDeserializer<EnrichedEvent>();
        deserializer.configure(Map.of(
                SerdeConfig.REGISTRY_URL, LocalStack.registryUrl(),
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true), false);
        return deserializer;
    }
}

package io.freshet.eventmodel.stack;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.record.EnrichedEvent;

import java.util.Map;

/** Reads the pipeline's Avro records as the router does: the writer's schema found in the stack's registry by id. */
public final class EnrichedRecords {

    private EnrichedRecords() {
    }

    public static AvroKafkaDeserializer<EnrichedEvent> deserializer() {
        return specific();
    }

    public static AvroKafkaDeserializer<Alert> alerts() {
        return specific();
    }

    public static AvroKafkaDeserializer<BillingUsage> billingUsage() {
        return specific();
    }

    private static <T> AvroKafkaDeserializer<T> specific() {
        var deserializer = new AvroKafkaDeserializer<T>();
        deserializer.configure(Map.of(
                SerdeConfig.REGISTRY_URL, LocalStack.registryUrl(),
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true), false);
        return deserializer;
    }
}

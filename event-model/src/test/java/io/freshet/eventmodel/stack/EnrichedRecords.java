package io.freshet.eventmodel.stack;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.WireFormat;

import java.util.Map;

/** Reads the pipeline's Avro records as the router does: the writer's schema found in the stack's registry by id (in the record's body, or in its headers for a record of the old format). */
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
        deserializer.configure(WireFormat.with(Map.of(
                SerdeConfig.REGISTRY_URL, LocalStack.registryUrl(),
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true), WireFormat.DESERIALIZER), false);
        return deserializer;
    }
}

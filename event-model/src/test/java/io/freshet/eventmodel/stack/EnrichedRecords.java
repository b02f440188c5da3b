package io.freshet.eventmodel.stack;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.BillingUsage;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.WireFormat;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

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

    /**
     * Writes records as Freshet's enricher did before the Confluent wire format: Apicurio's serializer in its default
     * layout (the schema's global id in the headers, the body bare Avro), the schema registered if new.
     */
    public static void sendInTheOldFormat(List<ProducerRecord<String, Object>> records)
            throws ExecutionException, InterruptedException {
        var serializer = new AvroKafkaSerializer<Object>();
        serializer.configure(Map.of(SerdeConfig.REGISTRY_URL, LocalStack.registryUrl(),
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true), false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serializer)) {
            List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
            for (Future<RecordMetadata> each : sent) {
                each.get();
            }
        }
    }

    private static <T> AvroKafkaDeserializer<T> specific() {
        var deserializer = new AvroKafkaDeserializer<T>();
        deserializer.configure(WireFormat.with(Map.of(
                SerdeConfig.REGISTRY_URL, LocalStack.registryUrl(),
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true), WireFormat.DESERIALIZER), false);
        return deserializer;
    }
}

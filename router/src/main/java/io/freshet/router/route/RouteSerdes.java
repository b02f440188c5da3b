package io.freshet.router.route;

import io.freshet.eventmodel.config.SharedConfig;
import io.apicurio.registry.resolver.SchemaResolverConfig;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.WireFormat;
import io.quarkus.kafka.client.serialization.ObjectMapperSerde;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * The router's serdes: Avro through the schema registry for the pipeline's topics, in the Confluent wire format
 * ({@link WireFormat}; one configuration, for the sink's consumer and the routes), JSON for the routes' internal topics.
 */
@ApplicationScoped
public class RouteSerdes {

    private final Map<String, Object> readerConfig;
    private final Map<String, Object> writerConfig;

    public RouteSerdes(SharedConfig config) {
        Map<String, Object> avroConfig = Map.of(
                SerdeConfig.REGISTRY_URL, config.registry().url(),
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true,
                AvroKafkaSerdeConfig.AVRO_DATUM_PROVIDER, ReusedDatumReaders.class.getName(),
                SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true);
        this.readerConfig = WireFormat.with(avroConfig, WireFormat.DESERIALIZER);
        this.writerConfig = WireFormat.with(avroConfig, WireFormat.SERIALIZER);
    }

    /** Reads the pipeline's Avro records as their generated classes (the router's sink and the routes alike). */
    public <T> AvroKafkaDeserializer<T> deserializer() {
        var avro = new AvroKafkaDeserializer<T>();
        avro.configure(readerConfig, false);
        return avro;
    }

    /** Enriched events with their record size; the routes only read them. */
    Serde<SizedEvent> sizedEvents() {
        AvroKafkaDeserializer<EnrichedEvent> avro = deserializer();
        Deserializer<SizedEvent> sized = new Deserializer<>() {
            @Override
            public SizedEvent deserialize(String topic, byte[] data) {
                return deserialize(topic, new RecordHeaders(), data);
            }

            @Override
            public SizedEvent deserialize(String topic, Headers headers, byte[] data) {
                return data == null ? null : new SizedEvent(avro.deserialize(topic, headers, data), data.length);
            }
        };
        return Serdes.serdeFrom((topic, event) -> {
            throw new UnsupportedOperationException("the routes never write enriched events");
        }, sized);
    }

    /** Writes the routes' Avro records (billing usage, alerts) in the Confluent wire format. */
    <T extends SpecificRecord> Serde<T> avro() {
        var avro = new AvroKafkaSerializer<T>();
        avro.configure(writerConfig, false);
        Serializer<T> serializer = new Serializer<>() {
            @Override
            public byte[] serialize(String topic, T data) {
                return avro.serialize(topic, data);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, T data) {
                WireFormat.dropIdHeaders(headers); // passed on by Streams from an input record in the old format
                return avro.serialize(topic, headers, data);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer());
    }

    static <T> Serde<T> json(Class<T> type) {
        return new ObjectMapperSerde<>(type);
    }
}

package io.freshet.eventmodel.topic;

import io.apicurio.registry.resolver.ParsedSchemaImpl;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The wire format through Apicurio's own serdes, over a registry of two schemas held in memory: what a new record
 * looks like to a Confluent reader, and that a record of the old format stays readable.
 */
class WireFormatTest {

    private static final String TOPIC = "freshet.events.enriched";
    private static final Schema READING = SchemaBuilder.record("Reading").fields()
            .requiredString("id").requiredLong("value").endRecord();
    /** Another topic's schema, which a stale id header would point to. */
    private static final Schema OTHER = SchemaBuilder.record("Other").fields()
            .requiredLong("count").requiredString("name").endRecord();
    private static final Registry REGISTRY = new Registry(Map.of(
            7L, new Entry(READING, 7, 42), 3L, new Entry(OTHER, 3, 99)));

    @Test
    void aRecordCarriesAZeroMagicByteAndItsSchemasContentIdAndNoIdHeaders() {
        var headers = new RecordHeaders();
        byte[] bytes = serializer(WireFormat.SERIALIZER).serialize(TOPIC, headers, reading("a", 1));

        assertEquals(0, bytes[0]);
        assertEquals(7, ByteBuffer.wrap(bytes, 1, 4).getInt(), "the content id, as /apis/ccompat/v7/schemas/ids/{id} knows it");
        assertFalse(headers.iterator().hasNext(), "no id in the headers");
        assertEquals(reading("a", 1), deserializer().deserialize(TOPIC, headers, bytes));
    }

    @Test
    void aRecordOfTheOldFormatIsStillReadByItsIdHeaders() {
        var headers = new RecordHeaders();
        byte[] bytes = serializer(Map.of()).serialize(TOPIC, headers, reading("b", 2)); // as Freshet wrote before

        assertNotEquals(0, bytes[0], "the old body is bare Avro");
        assertEquals(reading("b", 2), deserializer().deserialize(TOPIC, headers, bytes));
    }

    @Test
    void idHeadersPassedOnFromAnOldRecordAreDroppedBeforeWriting() {
        var inherited = new RecordHeaders();
        serializer(Map.of()).serialize("freshet.other", inherited, other(5, "x")); // an old record's headers
        var headers = new RecordHeaders(inherited.toArray());

        WireFormat.dropIdHeaders(headers);
        byte[] bytes = serializer(WireFormat.SERIALIZER).serialize(TOPIC, headers, reading("c", 3));

        assertEquals(reading("c", 3), deserializer().deserialize(TOPIC, headers, bytes));
        assertFalse(headers.iterator().hasNext());
    }

    @Test
    void theSettingsAreApicuriosOwn() {
        assertEquals(Map.of(SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName(), SerdeConfig.USE_ID, "contentId",
                SerdeConfig.ENABLE_HEADERS, false), WireFormat.SERIALIZER);
        assertEquals(Map.of(SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName(), SerdeConfig.USE_ID, "contentId"),
                WireFormat.DESERIALIZER);
    }

    private static GenericRecord reading(String id, long value) {
        var record = new GenericData.Record(READING);
        record.put("id", id);
        record.put("value", value);
        return record;
    }

    private static GenericRecord other(long count, String name) {
        var record = new GenericData.Record(OTHER);
        record.put("count", count);
        record.put("name", name);
        return record;
    }

    private static AvroKafkaSerializer<GenericRecord> serializer(Map<String, Object> format) {
        var serializer = new AvroKafkaSerializer<GenericRecord>(REGISTRY);
        serializer.configure(new HashMap<>(format), false);
        return serializer;
    }

    private static AvroKafkaDeserializer<GenericRecord> deserializer() {
        var deserializer = new AvroKafkaDeserializer<GenericRecord>(REGISTRY.client());
        deserializer.configure(new HashMap<>(WireFormat.DESERIALIZER), false);
        return deserializer;
    }

    private record Entry(Schema schema, long contentId, long globalId) {
        SchemaLookupResult<Schema> lookup() {
            return SchemaLookupResult.<Schema>builder()
                    .parsedSchema(new ParsedSchemaImpl<Schema>().setParsedSchema(schema).setRawSchema(schema.toString().getBytes()))
                    .contentId(contentId).globalId(globalId).groupId("default").artifactId(schema.getName()).version("1")
                    .build();
        }
    }

    /**
     * Schemas by content id, also found by global id: the serializers' resolver (a record's schema by its own) and,
     * for the deserializers, the registry client their resolver asks (a schema's text by either id).
     */
    private record Registry(Map<Long, Entry> byContentId) implements SchemaResolver<Schema, GenericRecord> {
        RegistryClient client() {
            return (RegistryClient) Proxy.newProxyInstance(RegistryClient.class.getClassLoader(),
                    new Class<?>[]{RegistryClient.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getContentById" -> text(byContentId.get((Long) args[0]));
                        case "getContentByGlobalId" -> text(byContentId.values().stream()
                                .filter(e -> e.globalId() == (Long) args[0]).findFirst().orElse(null));
                        case "getArtifactReferencesByContentId", "getArtifactReferencesByGlobalId" -> List.of();
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private static InputStream text(Entry entry) {
            if (entry == null) {
                throw new IllegalArgumentException("no such schema");
            }
            return new ByteArrayInputStream(entry.schema().toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public SchemaLookupResult<Schema> resolveSchema(Record<GenericRecord> data) {
            Schema schema = data.payload().getSchema();
            return byContentId.values().stream().filter(e -> e.schema().equals(schema)).findFirst().orElseThrow().lookup();
        }

        @Override
        public SchemaLookupResult<Schema> resolveSchemaByArtifactReference(ArtifactReference reference) {
            return byContentId.values().stream()
                    .filter(e -> reference.getGlobalId() != null ? e.globalId() == reference.getGlobalId()
                            : reference.getContentId() != null && e.contentId() == reference.getContentId())
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no schema for " + reference)).lookup();
        }

        @Override
        public void setClient(RegistryClient client) {
        }

        @Override
        public void setArtifactResolverStrategy(ArtifactReferenceResolverStrategy<Schema, GenericRecord> strategy) {
        }

        @Override
        public SchemaParser<Schema, GenericRecord> getSchemaParser() {
            return null;
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
        }
    }
}

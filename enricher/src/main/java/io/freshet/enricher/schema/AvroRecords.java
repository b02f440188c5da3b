package io.freshet.enricher.schema;

import io.apicurio.registry.resolver.DefaultSchemaResolver;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaResolverConfig;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.data.KafkaSerdeMetadata;
import io.apicurio.registry.serde.strategy.TopicIdStrategy;
import io.freshet.eventmodel.topic.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Avro records against the registry, by Apicurio's serializer, in the Confluent wire format ({@link WireFormat}). The
 * serializer caches the schema's id (re-checked every few minutes, kept while the registry is away),
 * so enrichment goes on through a registry outage; a schema never seen before waits for the registry, its batch
 * retrying. A serialization that needed the registry counts as a schema cache miss, any other as a hit.
 */
public final class AvroRecords<T extends SpecificRecord> {

    private static final Duration CHECK_PERIOD = Duration.ofMinutes(5);

    private final AvroKafkaSerializer<T> serializer;
    private final AtomicLong registryCalls;
    private final Counter hits;
    private final Counter misses;

    private AvroRecords(AvroKafkaSerializer<T> serializer, AtomicLong registryCalls, MeterRegistry meters) {
        this.serializer = serializer;
        this.registryCalls = registryCalls;
        this.hits = meters.counter("freshet.enricher.schema.cache", "result", "hit");
        this.misses = meters.counter("freshet.enricher.schema.cache", "result", "miss");
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // Apicurio's TopicIdStrategy is typed for any data, its serializer for T
    public static <T extends SpecificRecord> AvroRecords<T> create(String registryUrl, MeterRegistry meters) {
        var calls = new AtomicLong();
        var serializer = new AvroKafkaSerializer<T>(counting(RegistryClientFactory.create(registryUrl), calls),
                (ArtifactReferenceResolverStrategy) new TopicIdStrategy<Schema>(), new RememberingResolver<>(CHECK_PERIOD));
        serializer.configure(WireFormat.with(Map.of(
                SerdeConfig.REGISTRY_URL, registryUrl,
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.CHECK_PERIOD_MS, CHECK_PERIOD.toMillis(),
                SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true), WireFormat.SERIALIZER), false);
        return new AvroRecords<>(serializer, calls, meters);
    }

    /** @throws RuntimeException the schema's id is not cached and the registry cannot be asked */
    public byte[] serialize(String topic, Headers headers, T record) {
        long before = registryCalls.get();
        byte[] bytes = serializer.serialize(topic, headers, record);
        (registryCalls.get() == before ? hits : misses).increment();
        return bytes;
    }

    /**
     * Apicurio's resolver turns the record's schema into JSON text on every record to look its id up by content:
     * a quarter of the enricher's time. Within the check period this resolver answers a record of the same schema
     * object (a generated class's schema is one object) on the same topic with the last lookup; after it, it asks
     * Apicurio's resolver again, which refreshes from the registry or, the registry away, keeps its cached id.
     */
    private static final class RememberingResolver<T> extends DefaultSchemaResolver<Schema, T> {
        private record Lookup(Schema schema, SchemaLookupResult<Schema> result, long expiresAt) {
        }

        private final long periodNanos;
        private final Map<String, Lookup> byTopic = new ConcurrentHashMap<>();

        RememberingResolver(Duration period) {
            this.periodNanos = period.toNanos();
        }

        @Override
        public SchemaLookupResult<Schema> resolveSchema(Record<T> data) {
            String topic = ((KafkaSerdeMetadata) data.metadata()).getTopic();
            Schema schema = ((GenericContainer) data.payload()).getSchema();
            Lookup last = byTopic.get(topic);
            long now = System.nanoTime();
            if (last != null && last.schema() == schema && now - last.expiresAt() < 0) {
                return last.result();
            }
            SchemaLookupResult<Schema> result = super.resolveSchema(data);
            byTopic.put(topic, new Lookup(schema, result, now + periodNanos));
            return result;
        }
    }

    /** The registry client, counting the calls that reach it. */
    private static RegistryClient counting(RegistryClient client, AtomicLong calls) {
        return (RegistryClient) Proxy.newProxyInstance(RegistryClient.class.getClassLoader(),
                new Class<?>[]{RegistryClient.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() != Object.class) {
                        calls.incrementAndGet();
                    }
                    try {
                        return method.invoke(client, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}

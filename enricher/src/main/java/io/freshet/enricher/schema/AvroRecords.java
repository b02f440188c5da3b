package io.freshet.enricher.schema;

import io.apicurio.registry.resolver.SchemaResolverConfig;
import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Avro records against the registry, by Apicurio's serializer: each record carries its schema's global id in a
 * header. The serializer caches the schema's id (re-checked every few minutes, kept while the registry is away),
 * so enrichment goes on through a registry outage; a schema never seen before waits for the registry, its batch
 * retrying. A serialization that needed the registry counts as a schema cache miss, any other as a hit.
 */
public final class AvroRecords<T extends SpecificRecord> {

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

    public static <T extends SpecificRecord> AvroRecords<T> create(String registryUrl, MeterRegistry meters) {
        var calls = new AtomicLong();
        var serializer = new AvroKafkaSerializer<T>(counting(RegistryClientFactory.create(registryUrl), calls));
        serializer.configure(Map.of(
                SerdeConfig.REGISTRY_URL, registryUrl,
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.CHECK_PERIOD_MS, 300_000,
                SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true), false);
        return new AvroRecords<>(serializer, calls, meters);
    }

    /** @throws RuntimeException the schema's id is not cached and the registry cannot be asked */
    public byte[] serialize(String topic, Headers headers, T record) {
        long before = registryCalls.get();
        byte[] bytes = serializer.serialize(topic, headers, record);
        (registryCalls.get() == before ? hits : misses).increment();
        return bytes;
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

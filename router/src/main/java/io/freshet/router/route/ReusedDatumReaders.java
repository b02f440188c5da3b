package io.freshet.router.route;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apicurio's datum provider, keeping one reader per writer schema. The default makes a new reader for every record,
 * and so resolves the writer's schema against the reader's again each time: that was 45% of the router's CPU under
 * load (JFR). Configured by name ({@code apicurio.registry.avro-datum-provider}) on the router's Avro deserializers (the lanes' channels and RouteSerdes).
 */
@RegisterForReflection
public class ReusedDatumReaders<T> extends DefaultAvroDatumProvider<T> {

    /**
     * Apicurio parses a schema anew each time its cache entry expires, and hands that instance with every record
     * after: found by equality alone, each record compared the new instance with the old key field by field (15% of
     * the router's CPU, JFR). The schemas seen are found by identity first; few, as instances come once per expiry.
     */
    private static final int MAX_INSTANCES = 64;

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final Map<Instance, DatumReader<T>> byInstance = new ConcurrentHashMap<>();

    private record Instance(Schema schema) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Instance instance && instance.schema == schema;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema);
        }
    }

    /** How many schema instances it finds by identity now (for its test). */
    int instancesKept() {
        return byInstance.size();
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        Instance instance = new Instance(schema);
        DatumReader<T> reader = byInstance.get(instance);
        if (reader == null) {
            if (byInstance.size() >= MAX_INSTANCES) {
                byInstance.clear();
            }
            reader = readers.computeIfAbsent(schema, super::createDatumReader);
            byInstance.put(instance, reader);
        }
        return reader;
    }
}

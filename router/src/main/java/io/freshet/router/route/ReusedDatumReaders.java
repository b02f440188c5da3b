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

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return readers.computeIfAbsent(schema, super::createDatumReader);
    }
}

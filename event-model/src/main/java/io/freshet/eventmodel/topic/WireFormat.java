package io.freshet.eventmodel.topic;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How Freshet's Avro topics (enriched, late, alerts, billing usage) lay out a record: the Confluent wire format, a
 * zero magic byte and the schema's 4-byte id before the Avro body, the id being the registry's content id, which is
 * what its Confluent-compatible API ({@code /apis/ccompat/v7/schemas/ids/{id}}) answers. So the Kafka ecosystem's
 * own readers (ClickHouse's {@code AvroConfluent}, Flink, ksqlDB, Kafka Connect, Confluent clients) read them.
 * Settings of Apicurio's serdes, by name (its {@code SerdeConfig}); a record written before (the id in Apicurio's
 * headers, the body bare Avro) is still read through its headers, so old offsets stay readable.
 */
public final class WireFormat {

    /** Apicurio's id headers, which a Confluent-format record must not carry (a reader would trust them first). */
    private static final String APICURIO_HEADER_PREFIX = "apicurio.";

    /** Apicurio's handler of the Confluent layout (its "as-confluent" setting, which warns beside the default handler). */
    private static final String CONFLUENT_ID_HANDLER = "io.apicurio.registry.serde.Legacy4ByteIdHandler";

    /** Apicurio serializer settings: the id in the body, none in the headers. */
    public static final Map<String, Object> SERIALIZER = Map.of(
            "apicurio.registry.id-handler", CONFLUENT_ID_HANDLER,
            "apicurio.registry.use-id", "contentId",
            "apicurio.registry.headers.enabled", false);

    /** Apicurio deserializer settings: a 4-byte content id in the body; headers still read, for older records. */
    public static final Map<String, Object> DESERIALIZER = Map.of(
            "apicurio.registry.id-handler", CONFLUENT_ID_HANDLER,
            "apicurio.registry.use-id", "contentId");

    private WireFormat() {
    }

    /** {@code base} and {@code format}'s settings together. */
    public static Map<String, Object> with(Map<String, ?> base, Map<String, Object> format) {
        var all = new HashMap<String, Object>(base);
        all.putAll(format);
        return Map.copyOf(all);
    }

    /**
     * Drops Apicurio's id headers. Kafka Streams passes an input record's headers on to what it writes, so a record
     * derived from one in the old format would carry that record's schema id beside its own.
     */
    public static void dropIdHeaders(Headers headers) {
        List<String> keys = new ArrayList<>();
        for (Header header : headers) {
            if (header.key().startsWith(APICURIO_HEADER_PREFIX)) {
                keys.add(header.key());
            }
        }
        keys.forEach(headers::remove);
    }
}

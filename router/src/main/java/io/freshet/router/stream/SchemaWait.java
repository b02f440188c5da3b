package io.freshet.router.stream;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * A lane's record that cannot be read yet (a router started while the schema registry was away has no schema cached)
 * is read again, with a growing pause, until it can: its partitions wait and lag grows, nothing is skipped. Without
 * it the channel gave up for good at the first such record and the router stored nothing more until restarted.
 */
@ApplicationScoped
@Identifier(SchemaWait.NAME)
public class SchemaWait implements DeserializationFailureHandler<SpecificRecord> {

    public static final String NAME = "schema-wait";
    private static final Logger LOG = Logger.getLogger(SchemaWait.class);

    @Override
    public SpecificRecord decorateDeserialization(Uni<SpecificRecord> deserialization, String topic, boolean isKey,
                                                  String deserializer, byte[] data, Headers headers) {
        return deserialization
                .onFailure().invoke(e -> LOG.warnf("Cannot read a record of %s yet (%s); its partitions wait and it is read again",
                        topic, e.getCause() != null ? e.getCause() : e))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(5)).indefinitely()
                .await().indefinitely();
    }
}

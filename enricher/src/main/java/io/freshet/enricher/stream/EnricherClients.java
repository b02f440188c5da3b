package io.freshet.enricher.stream;

import io.freshet.enricher.schema.AvroRecords;
import io.freshet.eventmodel.kafka.GroupConsumers;
import io.freshet.eventmodel.kafka.KafkaConnection;
import io.freshet.eventmodel.kafka.TransactionalProducer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/** The enricher's Kafka clients and Avro serializers, configured from application.properties. */
@ApplicationScoped
public class EnricherClients {

    private final KafkaConnection kafka;
    private final String registryUrl;
    private final String instanceId;
    private final int maxPollRecords;

    public EnricherClients(KafkaConnection kafka,
                           @ConfigProperty(name = "freshet.registry.url") String registryUrl,
                           @ConfigProperty(name = "freshet.enricher.instance-id") String instanceId,
                           @ConfigProperty(name = "freshet.enricher.max-poll-records") int maxPollRecords) {
        this.kafka = kafka;
        this.registryUrl = registryUrl;
        this.instanceId = instanceId;
        this.maxPollRecords = maxPollRecords;
    }

    /** Reads raw events in the shared group; offsets are committed only inside the output transaction. */
    KafkaConsumer<String, String> consumer() {
        return GroupConsumers.staticMember(kafka, "freshet-enricher", "enricher-" + instanceId, maxPollRecords,
                new StringDeserializer());
    }

    /**
     * Writes enriched, late and dead-letter records in transactions. The id is the instance's, so a
     * restarted instance aborts what its killed predecessor left open.
     */
    TransactionalProducer producer(MeterRegistry meters) {
        return TransactionalProducer.open(kafka, "enricher-" + instanceId, "enricher-producer-" + instanceId,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 100, // a transaction is flushed by its commit
                        ProducerConfig.BATCH_SIZE_CONFIG, 262_144), meters);
    }

    /** Reads partitions of the enricher's changelogs (sessions, event ids) when it restores them (no group, read_committed). */
    KafkaConsumer<String, String> changelogReader() {
        return GroupConsumers.reader(kafka, "enricher-changelog-" + instanceId);
    }

    <T extends SpecificRecord> AvroRecords<T> avro(MeterRegistry meters) {
        return AvroRecords.create(registryUrl, meters);
    }
}

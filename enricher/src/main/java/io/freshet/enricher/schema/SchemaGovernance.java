package io.freshet.enricher.schema;

import io.freshet.eventmodel.config.SharedConfig;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import io.apicurio.registry.rest.v2.beans.IfExists;
import io.apicurio.registry.rest.v2.beans.Rule;
import io.apicurio.registry.types.ArtifactType;
import io.apicurio.registry.types.RuleType;
import io.freshet.eventmodel.record.Alert;
import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.topic.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.Schema;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Puts the enricher's schemas under governance in the registry: registered for its output topics (enriched, late,
 * alerts), each with a BACKWARD compatibility rule, so a new version must read every record written before it and an
 * incompatible change is refused by the registry, not discovered by a consumer.
 */
@ApplicationScoped
public class SchemaGovernance {

    /** Where the Avro serializer's topic naming puts the artifacts. */
    static final String GROUP = "default";

    private final String registryUrl;

    public SchemaGovernance(SharedConfig config) {
        this.registryUrl = config.registry().url();
    }

    /** Idempotent; throws while the registry cannot be reached. */
    public void govern() {
        var client = RegistryClientFactory.create(registryUrl);
        Map<String, Schema> schemas = Map.of(Topics.ENRICHED, EnrichedEvent.getClassSchema(),
                Topics.LATE, EnrichedEvent.getClassSchema(), Topics.ALERTS, Alert.getClassSchema());
        for (Map.Entry<String, Schema> topic : schemas.entrySet()) {
            String artifactId = topic.getKey() + "-value";
            byte[] schema = topic.getValue().toString().getBytes(StandardCharsets.UTF_8);
            client.createArtifact(GROUP, artifactId, null, ArtifactType.AVRO, IfExists.RETURN_OR_UPDATE, true,
                    new ByteArrayInputStream(schema));
            if (!client.listArtifactRules(GROUP, artifactId).contains(RuleType.COMPATIBILITY)) {
                var rule = new Rule();
                rule.setType(RuleType.COMPATIBILITY);
                rule.setConfig("BACKWARD");
                client.createArtifactRule(GROUP, artifactId, rule);
            }
        }
    }
}

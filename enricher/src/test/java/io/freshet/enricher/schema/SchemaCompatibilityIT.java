package io.freshet.enricher.schema;

import io.freshet.eventmodel.record.EnrichedEvent;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.topic.Topics;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The enriched schema is governed in the registry: BACKWARD, so an incompatible next version is refused. */
class SchemaCompatibilityIT {

    private static final String ARTIFACT = "/groups/default/artifacts/" + Topics.ENRICHED + "-value";

    @Test
    void theEnrichedSchemaHasABackwardRule() {
        given().baseUri(LocalStack.registryUrl()).get(ARTIFACT + "/rules/COMPATIBILITY")
                .then().statusCode(200).body("config", equalTo("BACKWARD"));
    }

    @Test
    void aVersionThatCannotReadEarlierRecordsIsRefused() {
        // a new required field without a default: records written so far have no value for it
        var fields = new ArrayList<Schema.Field>();
        EnrichedEvent.getClassSchema().getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("region", Schema.create(Schema.Type.STRING), "required, no default"));
        Schema incompatible = Schema.createRecord(EnrichedEvent.getClassSchema().getName(), null,
                EnrichedEvent.getClassSchema().getNamespace(), false, fields);

        given().baseUri(LocalStack.registryUrl()).contentType("application/json").header("X-Registry-ArtifactType", "AVRO")
                .body(incompatible.toString()).post(ARTIFACT + "/versions")
                .then().statusCode(409).body("message", containsString("Incompatible artifact")).body("causes[0].context", equalTo("/fields/" + (fields.size() - 1)));
    }
}

package io.freshet.eventmodel.stack;

import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;

import java.util.List;

import static io.restassured.RestAssured.given;

/** Sends events through the stack's gateway, as a client does. */
public final class Ingest {

    private Ingest() {
    }

    /** POSTs a JSON event or array to /v1/events; fails unless every event was accepted; returns their ids. */
    public static List<String> send(TestTenant tenant, String json) {
        return given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer())
                .contentType(ContentType.JSON).body(json)
                .post("/v1/events")
                .then().statusCode(202).extract().path("ids");
    }
}

package io.freshet.ingest.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every path the REST layer routes to an ingest endpoint is one the gateway authenticates and budgets as such. */
class IngestPathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/v1/events", "/v1/events/", "/v1/events;x", "/v1/events;a=b/", "/v1;x/events",
            "/v1/batch", "/v1/batch;a=b", "/v1/track;", "/v1/alias/"})
    void variantsOfAnIngestPathAreIngestPaths(String path) {
        assertTrue(IngestAccess.isIngestPath(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/v1", "/v1/eventsx", "/v1/events/x", "/v2/events", "/q/health", "/v1/batches"})
    void otherPathsAreNot(String path) {
        assertFalse(IngestAccess.isIngestPath(path), path);
    }
}

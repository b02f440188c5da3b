package io.freshet.devstack.clickhouse;

import java.nio.file.Path;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;

/** Starts the endpoint in this JVM, as the ITs need it: the real engine, a temp data path, a free port. */
final class RunningEndpoint {

    private RunningEndpoint() {
    }

    /** @param port 0 for any free port */
    static ClickHouseEndpoint start(Path data, int port) {
        Path library;
        try {
            library = EndpointConfig.library(System.getenv());
        } catch (StartupException e) {
            // Never skipped: without the engine these tests prove nothing, so they fail and say why.
            return fail(e.getMessage());
        }
        try {
            return ClickHouseEndpoint.start(new EndpointConfig(library, "127.0.0.1", port, data, Level.INFO));
        } catch (StartupException e) {
            return fail(e.getMessage());
        }
    }
}

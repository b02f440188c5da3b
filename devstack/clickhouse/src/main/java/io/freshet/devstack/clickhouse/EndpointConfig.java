package io.freshet.devstack.clickhouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * Where the endpoint listens, which engine library it loads and where the engine keeps its data,
 * read from the environment with defaults that fit the local stack.
 *
 * @param port 0 picks any free port (tests)
 */
record EndpointConfig(Path library, String host, int port, Path dataDirectory, Level logLevel) {

    static final String INSTALL_HINT = "npm install --ignore-scripts --prefix ~/.cache/freshet/chdb "
            + "@chdb/lib-linux-x64-gnu@26.7.3-stable.1";

    static EndpointConfig fromEnvironment(Map<String, String> env) throws StartupException {
        return new EndpointConfig(
                library(env),
                env.getOrDefault("CLICKHOUSE_HOST", "127.0.0.1"),
                port(env.get("CLICKHOUSE_PORT")),
                Path.of(env.getOrDefault("CLICKHOUSE_DATA", ".freshet/data/clickhouse")),
                logLevel(env.get("CLICKHOUSE_LOG_LEVEL")));
    }

    /** CHDB_LIB if set, else the libchdb.so that npm installed into the local cache. */
    static Path library(Map<String, String> env) throws StartupException {
        String configured = env.get("CHDB_LIB");
        if (configured != null && !configured.isBlank()) {
            Path library = Path.of(configured);
            if (!Files.isRegularFile(library)) {
                throw new StartupException("CHDB_LIB points to " + library + ", which is not a file: "
                        + "set CHDB_LIB to the libchdb.so of the engine, or unset it to use the one from `" + INSTALL_HINT + "`.");
            }
            return library;
        }
        Path packages = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")),
                ".cache", "freshet", "chdb", "node_modules", "@chdb");
        return findUnder(packages).orElseThrow(() -> new StartupException(
                "The ClickHouse engine library libchdb.so was not found under " + packages
                        + ": install it with `" + INSTALL_HINT + "` or set CHDB_LIB to its path."));
    }

    /** npm puts the library at the package root today; older packages had it in a lib folder. */
    private static Optional<Path> findUnder(Path packages) {
        if (!Files.isDirectory(packages)) {
            return Optional.empty();
        }
        try (Stream<Path> found = Files.find(packages, 4,
                (path, attributes) -> attributes.isRegularFile() && path.getFileName().toString().equals("libchdb.so"))) {
            return found.min(Comparator.comparingInt(Path::getNameCount));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int port(String value) throws StartupException {
        if (value == null || value.isBlank()) {
            return 8123;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StartupException("CLICKHOUSE_PORT is '" + value + "', which is not a port number: "
                + "set it to a number from 1 to 65535 (default 8123).");
    }

    private static Level logLevel(String value) throws StartupException {
        if (value == null || value.isBlank()) {
            return Level.INFO;
        }
        try {
            return Level.parse(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new StartupException("CLICKHOUSE_LOG_LEVEL is '" + value + "', which is not a log level: "
                    + "use INFO (default), FINE for one line per request, or WARNING.");
        }
    }
}

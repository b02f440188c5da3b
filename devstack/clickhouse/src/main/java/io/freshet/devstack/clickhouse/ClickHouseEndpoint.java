package io.freshet.devstack.clickhouse;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A local stand-in for a ClickHouse server: ClickHouse's HTTP interface on top of the embedded
 * ClickHouse engine. Clients talk to it as to a real server; only the URL differs.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -jar freshet-clickhouse.jar}, configured by
 * CHDB_LIB, CLICKHOUSE_HOST, CLICKHOUSE_PORT, CLICKHOUSE_DATA and CLICKHOUSE_LOG_LEVEL.
 */
public final class ClickHouseEndpoint implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClickHouseEndpoint.class.getName());
    /** Held so the level set on it is not lost to garbage collection (JUL keeps loggers weakly). */
    private static final Logger OWN_LOGGER = Logger.getLogger(ClickHouseEndpoint.class.getPackageName());

    /** In-flight requests get this long to finish when the endpoint stops. */
    private static final int STOP_GRACE_SECONDS = 5;

    private final HttpServer server;
    private final ExecutorService executor;
    private final ChdbEngine engine;
    private final Path spillDirectory;

    private ClickHouseEndpoint(HttpServer server, ExecutorService executor, ChdbEngine engine, Path spillDirectory) {
        this.server = server;
        this.executor = executor;
        this.engine = engine;
        this.spillDirectory = spillDirectory;
    }

    public static void main(String[] args) {
        ClickHouseEndpoint endpoint;
        try {
            EndpointConfig config = EndpointConfig.fromEnvironment(System.getenv());
            configureLogging(config.logLevel());
            endpoint = start(config);
        } catch (StartupException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // SIGTERM and SIGINT: finish what is running, then shut the engine down so every part is on disk.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            endpoint.engine.stopEngineThreads();
            // Not through the logger: JUL resets its handlers in a shutdown hook of its own.
            System.err.println("ClickHouse endpoint stopped; data is on disk");
        }, "clickhouse-endpoint-shutdown"));
    }

    /** Binds the port, boots the engine on the data directory and starts serving. */
    static ClickHouseEndpoint start(EndpointConfig config) throws StartupException {
        Path data = config.dataDirectory().toAbsolutePath().normalize();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new StartupException("The data directory " + data + " cannot be created ("
                    + e.getClass().getSimpleName() + "): set CLICKHOUSE_DATA to a writable directory.");
        }
        // Small responses must not wait for delayed ACKs (Nagle): clients send one request per round trip.
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
        HttpServer server = bind(config);
        ChdbEngine engine;
        Path spillDirectory;
        try {
            engine = ChdbEngine.start(config.library(), data);
            spillDirectory = Files.createTempDirectory("freshet-clickhouse-bodies-");
        } catch (IllegalArgumentException e) {
            server.stop(0);
            throw new StartupException("The engine library " + config.library() + " cannot be loaded (" + e.getMessage()
                    + "): reinstall it with `" + EndpointConfig.INSTALL_HINT + "` or point CHDB_LIB at a working libchdb.so.");
        } catch (IOException e) {
            server.stop(0);
            throw new StartupException("No temporary directory can be created (" + e.getMessage()
                    + "): set java.io.tmpdir to a writable directory.");
        } catch (StartupException e) {
            server.stop(0);
            throw e;
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.createContext("/", new ClickHouseHttpHandler(engine, spillDirectory));
        server.setExecutor(executor);
        server.start();
        ClickHouseEndpoint endpoint = new ClickHouseEndpoint(server, executor, engine, spillDirectory);
        LOG.log(System.Logger.Level.INFO, "ClickHouse {0} serving http://{1}:{2,number,#} with data in {3}",
                engine.version(), config.host(), endpoint.port(), data);
        return endpoint;
    }

    private static HttpServer bind(EndpointConfig config) throws StartupException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) {
            throw new StartupException("CLICKHOUSE_HOST '" + config.host()
                    + "' does not resolve: set it to a local address such as 127.0.0.1.");
        }
        try {
            return HttpServer.create(address, 128);
        } catch (BindException e) {
            throw new StartupException("Port " + config.port() + " on " + config.host() + " is already in use or not "
                    + "available (" + e.getMessage() + "): stop the process that holds it or set CLICKHOUSE_PORT to a free port.");
        } catch (IOException e) {
            throw new StartupException("Cannot listen on " + config.host() + ":" + config.port() + " (" + e.getMessage()
                    + "): set CLICKHOUSE_HOST and CLICKHOUSE_PORT to a local address and a free port.");
        }
    }

    /** The port it listens on (the one picked when configured with 0). */
    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/";
    }

    /**
     * Stops taking requests, lets the running ones finish, then shuts the engine down so that its data
     * is complete on disk. The engine can be started again on the same data in this process.
     */
    @Override
    public void close() {
        server.stop(STOP_GRACE_SECONDS);
        engine.close();
        executor.close();
        try (Stream<Path> leftovers = Files.walk(spillDirectory)) {
            leftovers.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not remove {0}: {1}", spillDirectory, e.getMessage());
        }
    }

    /** One line per record; FINE shows one line per request. */
    private static void configureLogging(Level level) {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                System.getProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %3$s - %5$s%6$s%n"));
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(level);
        root.addHandler(console);
        // Only this endpoint's own loggers go below INFO: the JDK logs every connection and exit at FINE.
        root.setLevel(level.intValue() > Level.INFO.intValue() ? level : Level.INFO);
        OWN_LOGGER.setLevel(level);
    }
}

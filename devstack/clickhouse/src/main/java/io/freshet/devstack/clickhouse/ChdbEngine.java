package io.freshet.devstack.clickhouse;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The embedded ClickHouse engine (libchdb) over one data directory. The engine is not safe for
 * concurrent use, so every piece of engine work runs under one fair lock: requests are served in
 * arrival order and none starves. Everything around it (HTTP parsing, reading bodies, writing
 * results) runs outside the lock, concurrently.
 */
final class ChdbEngine implements AutoCloseable {

    /**
     * Every session runs in UTC, as a ClickHouse server in a container does: DateTime values without
     * an explicit zone then mean the same on every developer's machine.
     */
    static final String SESSION_TIME_ZONE = "UTC";

    /** Enough for the few request shapes a stack sends (inserts, the API's queries, probes); each holds a connection. */
    private static final int KEPT_SESSIONS = 8;

    private final ChdbApi api;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Arena argumentsArena = Arena.ofShared();
    private final MemorySegment arguments;
    private final int argumentCount;
    private final String version;
    private MemorySegment bootConnection;
    /** Sessions kept between requests, by {@link QueryRequest#sessionKey}; least recently used first. */
    private final Map<String, ChdbSession> keptSessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ChdbSession> eldest) {
            if (size() > KEPT_SESSIONS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    private ChdbEngine(ChdbApi api, List<String> arguments, MemorySegment bootConnection, String version) {
        this.api = api;
        this.argumentCount = arguments.size();
        this.arguments = argv(argumentsArena, arguments);
        this.bootConnection = bootConnection;
        this.version = version;
    }

    /**
     * Loads the library and boots the engine on {@code dataDirectory}, where MergeTree data persists.
     * The boot connection stays open until {@link #close()}: closing the last connection shuts the
     * engine down, and a boot per request would cost a quarter of a second each.
     */
    static ChdbEngine start(Path library, Path dataDirectory) throws StartupException {
        refuseIfInUse(dataDirectory);
        ChdbApi api = new ChdbApi(library);
        // The JVM handles SIGSEGV and friends itself (null checks, safepoints): the engine must not take them.
        api.setSignalHandlersEnabled(false);
        List<String> arguments = List.of(
                "clickhouse",
                "--path=" + dataDirectory.toAbsolutePath(),
                "--session_timezone=" + SESSION_TIME_ZONE);
        MemorySegment boot;
        try (Arena arena = Arena.ofConfined()) {
            boot = api.connect(arguments.size(), argv(arena, arguments));
        }
        if (boot.equals(MemorySegment.NULL)) {
            throw new StartupException("The ClickHouse engine could not open its data directory "
                    + dataDirectory.toAbsolutePath() + ": check that it is writable and used by no other process.");
        }
        // Borrows the boot connection, so it is not closed here: that would shut the engine down.
        ChdbSession probe = new ChdbSession(api, boot);
        String version;
        try (Arena arena = Arena.ofConfined();
             ChdbResult result = probe.execute(ChdbSession.utf8(arena, "SELECT version()"), "TabSeparated", Map.of())) {
            if (result.failed()) {
                api.closeConn(boot);
                throw new StartupException("The ClickHouse engine started but cannot run queries (" + result.error()
                        + "): reinstall it with `" + EndpointConfig.INSTALL_HINT + "`.");
            }
            version = new String(result.output().toArray(JAVA_BYTE), StandardCharsets.UTF_8).strip();
        }
        return new ChdbEngine(api, arguments, boot, version);
    }

    /** A C {@code argv}: the engine reads its options like a command line. */
    private static MemorySegment argv(Arena arena, List<String> arguments) {
        MemorySegment argv = arena.allocate(ADDRESS, arguments.size());
        for (int i = 0; i < arguments.size(); i++) {
            argv.setAtIndex(ADDRESS, i, arena.allocateFrom(arguments.get(i)));
        }
        return argv;
    }

    /**
     * ClickHouse locks {@code <data>/status} and writes its PID there. The engine would refuse a second
     * process too, but only after printing its own stack of messages: this says it in one sentence.
     */
    private static void refuseIfInUse(Path dataDirectory) throws StartupException {
        Path status = dataDirectory.resolve("status");
        if (!Files.isRegularFile(status)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("PID: ")) {
                    long pid = Long.parseLong(line.substring("PID: ".length()).strip());
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        throw new StartupException("The data directory " + dataDirectory.toAbsolutePath()
                                + " is in use by another ClickHouse process (pid " + pid + "): stop that process, "
                                + "or set CLICKHOUSE_DATA to another directory.");
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // An unreadable or foreign status file: the engine's own lock decides.
        }
    }

    /** The ClickHouse version of the engine, e.g. 26.7.2.1. */
    String version() {
        return version;
    }

    /** Work done in one engine session while holding the engine lock. */
    @FunctionalInterface
    interface SessionWork {
        ChdbResult run(ChdbSession session) throws ClickHouseError, IOException;
    }

    /** Prepares a fresh session for its request (settings, database). */
    @FunctionalInterface
    interface SessionSetup {
        void prepare(ChdbSession session) throws ClickHouseError;
    }

    /**
     * Runs {@code work} in a session, all under the engine lock. With a {@code reuseKey}, a session kept from an
     * earlier request with the same key serves it, and is kept again afterwards if its statement succeeded: opening a
     * session and preparing it cost more CPU than a small query itself. A failed statement's session is closed: the
     * engine keeps a failed query's partial output in its connection and would hand it out with the next result.
     * Without a key, a fresh session is prepared, used and closed. Results that {@code work} returns outlive the
     * session and are read after the lock is released.
     */
    ChdbResult inSession(String reuseKey, SessionSetup setup, SessionWork work) throws ClickHouseError, IOException {
        lock.lock();
        try {
            if (bootConnection == null) {
                throw ClickHouseError.of(ClickHouseError.STD_EXCEPTION, "STD_EXCEPTION",
                        "The server is shutting down", version);
            }
            ChdbSession session = reuseKey == null ? null : keptSessions.remove(reuseKey);
            if (session == null) {
                session = open();
                try {
                    setup.prepare(session);
                } catch (ClickHouseError | RuntimeException e) {
                    session.close();
                    throw e;
                }
            }
            boolean keep = false;
            try {
                ChdbResult result = work.run(session);
                keep = reuseKey != null && !result.failed();
                return result;
            } finally {
                if (keep) {
                    keptSessions.put(reuseKey, session);
                } else {
                    // a failed statement, or work that threw, may have left the session anywhere: no other request gets it
                    session.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private ChdbSession open() throws ClickHouseError {
        MemorySegment connection = api.connect(argumentCount, arguments);
        if (connection.equals(MemorySegment.NULL)) {
            throw ClickHouseError.of(ClickHouseError.STD_EXCEPTION, "STD_EXCEPTION",
                    "The engine refused a new session", version);
        }
        return new ChdbSession(api, connection);
    }

    /**
     * Closes the boot connection, which shuts the engine down: parts in flight are written and the
     * data directory is left consistent. Waits for the statement running now, if any.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (bootConnection != null) {
                keptSessions.values().forEach(ChdbSession::close);
                keptSessions.clear();
                api.closeConn(bootConnection);
                bootConnection = null;
                argumentsArena.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Joins the engine's own threads before the JVM exits, so none runs while the process tears down.
     * After this the library cannot be started again in this process: only for a process that is exiting.
     */
    void stopEngineThreads() {
        close();
        api.shutdown();
    }
}

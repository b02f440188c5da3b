package io.freshet.eventmodel.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One more instance of a service, next to the one `./freshet up` runs: the same installed build, on its own port
 * and instance id, as a second pod would be. Closing it kills it.
 */
public final class ServiceInstance implements AutoCloseable {

    private final String name;
    private final Process process;
    private final String url;

    private ServiceInstance(String name, Process process, String url) {
        this.name = name;
        this.process = process;
        this.url = url;
    }

    /** Starts it and waits until it is ready; its log goes to .freshet/logs/{@code part}-{@code instanceId}.log. */
    public static ServiceInstance start(String part, String instanceId, int port, String portVariable) throws IOException {
        return start(part, instanceId, port, portVariable, Map.of());
    }

    /** Starts it with these extra settings and waits until it is ready. */
    public static ServiceInstance start(String part, String instanceId, int port, String portVariable,
                                        Map<String, String> environment) throws IOException {
        ServiceInstance instance = starting(part, instanceId, port, portVariable, environment);
        try {
            return instance.awaitReady();
        } catch (RuntimeException | Error e) {
            instance.close();
            throw e;
        }
    }

    /**
     * Starts it without waiting: several instances then start side by side (a JVM start is seconds here), each
     * awaited with {@link #awaitReady()}.
     */
    public static ServiceInstance starting(String part, String instanceId, int port, String portVariable,
                                           Map<String, String> environment) throws IOException {
        return new ServiceInstance(part + " " + instanceId, launch(part, instanceId, port, portVariable, environment),
                "http://127.0.0.1:" + port);
    }

    /** Waits until it is ready; fails if it exited. */
    public ServiceInstance awaitReady() {
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited during start-up; see its log");
            }
            return ready();
        });
        return this;
    }

    /**
     * Starts it with these settings and expects it to refuse to start: returns what it printed once it has exited,
     * with a non-zero status, within a minute.
     */
    public static String failedStart(String part, String instanceId, int port, String portVariable,
                                     Map<String, String> environment) throws Exception {
        Process process = launch(part, instanceId, port, portVariable, environment);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(part + " " + instanceId + " did not stop within a minute");
        }
        if (process.exitValue() == 0) {
            throw new AssertionError(part + " " + instanceId + " exited with status 0");
        }
        return Files.readString(log(part, instanceId));
    }

    private static Process launch(String part, String instanceId, int port, String portVariable,
                                  Map<String, String> environment) throws IOException {
        Path root = LocalStack.repositoryRoot();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path app = root.resolve(".freshet/app/" + part);
        // the JVM options the service's AOT cache was made with (the root pom), and the cache: seconds off each start
        var builder = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Xmx384m",
                "-XX:AOTCache=" + app.resolve("app.aot"), "-jar", app.resolve("quarkus-run.jar").toString())
                .redirectErrorStream(true)
                .redirectOutput(log(part, instanceId).toFile());
        // as ./freshet starts its own: state (the router's Kafka Streams stores) under .freshet/data
        builder.environment().putAll(Map.of("FRESHET_INSTANCE_ID", instanceId, portVariable, String.valueOf(port),
                "FRESHET_MANAGEMENT_PORT", String.valueOf(port + LocalStack.MANAGEMENT_PORT_OFFSET),
                "FRESHET_BIND_HOST", "127.0.0.1", "FRESHET_STATE_DIR", root.resolve(".freshet/data").toString()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static Path log(String part, String instanceId) {
        return LocalStack.repositoryRoot().resolve(".freshet/logs/" + part + "-" + instanceId + ".log");
    }

    public String url() {
        return url;
    }

    /** Its health and metrics. */
    public String managementUrl() {
        return LocalStack.managementUrl(url);
    }

    /** `kill -9`, as a crash or a lost node would do it. */
    public void kill() {
        process.destroyForcibly();
        process.onExit().join();
    }

    private boolean ready() {
        try (var http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        kill();
    }
}

package io.freshet.eventmodel.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of tests/sdk (the official npm SDKs and clients, installed there by {@code ./freshet test}) with
 * Node, as a user's app would use them. Secrets go in the environment, never on the command line.
 */
public final class NodeScript {

    /** What the script printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.lines().filter(line -> !line.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    private NodeScript() {
    }

    public static Result run(String script, Map<String, String> environment, Duration timeout, String... arguments)
            throws IOException, InterruptedException {
        Path directory = LocalStack.repositoryRoot().resolve("tests/sdk");
        if (!Files.isDirectory(directory.resolve("node_modules"))) {
            throw new IllegalStateException("tests/sdk has no node_modules: run 'npm ci' there (./freshet test does)");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(arguments));
        Path stdout = Files.createTempFile("node-stdout", ".txt");
        Path stderr = Files.createTempFile("node-stderr", ".txt");
        try {
            var builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(script + " did not end within " + timeout + ": "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}

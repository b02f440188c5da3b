package io.freshet.eventmodel.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Drives the stack under test with the `./freshet` command, for tests that stop, start or kill its parts. */
public final class Freshet {

    private Freshet() {
    }

    /** Runs `./freshet args...` and fails unless it exits 0; returns its output, also in target/freshet-<verb>.log. */
    public static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("./freshet"));
        command.addAll(List.of(args));
        Path log = Path.of("target", "freshet-" + args[0] + ".log");
        var process = new ProcessBuilder(command).directory(LocalStack.repositoryRoot().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("./freshet " + String.join(" ", args) + " did not finish; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("./freshet " + String.join(" ", args) + " failed; see " + log);
        }
        return Files.readString(log);
    }

    /** `kill -9` of a part's process, as a crash would do it; `run("up", part)` starts it again. */
    public static void kill(String part) throws IOException, InterruptedException {
        long pid = pid(part);
        var process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(part + " (pid " + pid + ") is not running"));
        process.destroyForcibly();
        process.onExit().join();
    }

    /** Sends a part's process a signal, e.g. STOP and CONT for a pause (a VM freeze, a long GC). */
    public static void signal(String part, String signal) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(part))).inheritIO().start().waitFor();
        if (status != 0) {
            throw new AssertionError("kill -" + signal + " of " + part + " exited with " + status);
        }
    }

    private static long pid(String part) throws IOException {
        return Long.parseLong(Files.readString(LocalStack.repositoryRoot().resolve(".freshet/run/" + part + ".pid"))
                .split(" ")[0].strip());
    }
}

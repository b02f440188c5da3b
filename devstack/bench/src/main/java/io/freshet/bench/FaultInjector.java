package io.freshet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Does a fault to the local stack the way an operator's bad day would: kill -9 (then {@code ./freshet up <part>}, as a
 * supervisor restarts it), SIGSTOP/SIGCONT, or {@code ./freshet down <engine>} and {@code up} again. Each ends with
 * the part back up, or says why it is not.
 */
final class FaultInjector {

    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);

    private final Path cli;
    private final Path runDir;
    private final Path log;

    /** @param log where the command line's output goes (appended) */
    FaultInjector(Path cli, Path runDir, Path log) {
        this.cli = cli;
        this.runDir = runDir;
        this.log = log;
    }

    /** Injects the fault and waits its length; returns what happened, for the report. */
    String inject(Fault fault) throws InterruptedException {
        long lengthMs = Math.round(fault.forSeconds() * 1000);
        return switch (fault.kind()) {
            case KILL -> {
                ProcessHandle process = ProcessHandle.of(pid(fault.part()))
                        .orElseThrow(() -> new BenchException(fault.part() + " is not running: nothing to kill"));
                process.destroyForcibly();
                awaitExit(process);
                Thread.sleep(lengthMs); // down as long as the fault lasts, as if its supervisor were slow
                yield "killed (SIGKILL), " + restart(fault.part());
            }
            case PAUSE -> {
                long pid = pid(fault.part());
                signal("STOP", pid);
                Thread.sleep(lengthMs); // frozen as long as the fault lasts
                signal("CONT", pid);
                yield "paused (SIGSTOP) and resumed (SIGCONT)";
            }
            case OUTAGE -> {
                run(List.of("down", fault.part()));
                Thread.sleep(lengthMs); // away as long as the fault lasts
                yield "stopped, " + restart(fault.part());
            }
        };
    }

    private String restart(String part) throws InterruptedException {
        long start = System.nanoTime();
        run(List.of("up", part));
        return "up again in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 1000.0 + " s";
    }

    private long pid(String part) {
        try {
            return Long.parseLong(Files.readString(runDir.resolve(part + ".pid")).strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            throw new BenchException("cannot tell the pid of " + part + " from " + runDir.resolve(part + ".pid"), e);
        }
    }

    private static void awaitExit(ProcessHandle process) throws InterruptedException {
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("pid " + process.pid() + " did not exit within 30 s of SIGKILL", e);
        }
    }

    private void signal(String signal, long pid) throws InterruptedException {
        execute(List.of("kill", "-" + signal, String.valueOf(pid)), Duration.ofSeconds(10));
    }

    private void run(List<String> arguments) throws InterruptedException {
        var command = new ArrayList<>(List.of(cli.toString()));
        command.addAll(arguments);
        execute(command, CLI_TIMEOUT);
    }

    private void execute(List<String> command, Duration timeout) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BenchException(String.join(" ", command) + " did not end within " + timeout.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new BenchException(String.join(" ", command) + " failed (exit " + process.exitValue() + "; see " + log + ")");
            }
        } catch (IOException e) {
            throw new BenchException("cannot run " + String.join(" ", command), e);
        }
    }
}

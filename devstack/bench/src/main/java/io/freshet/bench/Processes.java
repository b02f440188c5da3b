package io.freshet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The local stack's processes as Linux counts them: CPU time and peak resident memory. */
final class Processes {

    /** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel). */
    private static final double TICKS = 100;

    private final Map<String, Long> pids;

    Processes(Map<String, Long> pids) {
        this.pids = pids;
    }

    /** Each part's CPU seconds so far (user and system); a part that is gone is left out. */
    Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids.forEach((part, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                cpu.put(part, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS);
            } catch (IOException | RuntimeException e) {
                // gone: nothing to count
            }
        });
        return cpu;
    }

    /** Each part's peak resident memory in MiB (VmHWM). */
    Map<String, Long> peakRssMiB() {
        Map<String, Long> rss = new LinkedHashMap<>();
        pids.forEach((part, pid) -> {
            try {
                Files.readAllLines(Path.of("/proc", pid.toString(), "status")).stream()
                        .filter(line -> line.startsWith("VmHWM:"))
                        .findFirst()
                        .ifPresent(line -> rss.put(part, Long.parseLong(line.replaceAll("\\D", "")) / 1024));
            } catch (IOException e) {
                // gone
            }
        });
        return rss;
    }

    /** The share of one core each part used between two {@link #cpuSeconds} readings {@code seconds} apart, in %. */
    static Map<String, Long> cpuPercent(Map<String, Double> before, Map<String, Double> after, double seconds) {
        Map<String, Long> percent = new LinkedHashMap<>();
        after.forEach((part, cpu) -> {
            if (before.containsKey(part)) {
                percent.put(part, Math.round(100 * (cpu - before.get(part)) / seconds));
            }
        });
        return percent;
    }
}

package io.freshet.bench;


import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A chaos run as its user reads it: each fault with its time and outcome, what the client sent and what was
 * acknowledged, throughput and freshness over the run, how long the pipeline took to settle, and the verdict of each
 * check; written as JSON and a chart under .freshet/chaos/.
 */
record ChaosReport(String run, long seed, int seconds, int offeredPerSecond, List<Fault> faults, long batches,
                   long eventsSent, long eventsAcknowledged, long retries, long batchesGivenUp, Map<Integer, Long> refusedByStatus,
                   long[] acknowledgedEachSecond, List<FreshnessProbe.Sample> freshness, long freshnessP50Ms,
                   long freshnessP99Ms, long freshnessMaxMs, int markersRefused, int markersUnseen, double settleSeconds,
                   List<ChaosChecks.Check> checks) {

    static ChaosReport of(String run, ChaosSettings settings, List<Fault> faults, ChaosLoad.Result load,
                          FreshnessProbe probe, double settleSeconds, List<ChaosChecks.Check> checks) {
        Percentiles freshness = Percentiles.of(probe.freshness());
        return new ChaosReport(run, settings.seed(), settings.seconds(), settings.rate(), faults, load.batches(),
                load.attempted().size(), load.acknowledged().size(), load.retries(), load.gaveUp(), load.refusedByStatus(),
                load.acknowledgedEachSecond(), probe.samples(), freshness.p50(), freshness.p99(), freshness.max(),
                probe.refused(), probe.unseen(), settleSeconds, checks);
    }

    boolean held() {
        return checks.stream().allMatch(ChaosChecks.Check::held);
    }

    void print(PrintStream out) {
        out.printf("%n==> Chaos run %s (seed %d): %d s at %,d events/s offered%n", run, seed, seconds, offeredPerSecond);
        out.println("  faults:");
        faults.forEach(f -> out.printf("    %6.1f s  %-6s %-15s for %4.1f s: %s%n", f.atSeconds(), f.kind().name().toLowerCase(),
                f.part(), f.forSeconds(), f.outcome()));
        out.printf("  client: %,d events sent in %,d batches, %,d acknowledged, %,d retries, %d batches given up, refused: %s%n",
                eventsSent, batches, eventsAcknowledged, retries, batchesGivenUp, refusedByStatus.isEmpty() ? "none" : refusedByStatus);
        out.printf("  throughput: %,.0f acknowledged/s on average, lowest second %,d, highest %,d%n",
                eventsAcknowledged / Math.max(1.0, acknowledgedEachSecond.length),
                Arrays.stream(acknowledgedEachSecond).limit(Math.max(1, seconds)).min().orElse(0),
                Arrays.stream(acknowledgedEachSecond).max().orElse(0));
        out.printf("  freshness (a marker every 200 ms, 202 to queryable): p50 %,d ms, p99 %,d ms, max %,d ms; markers refused "
                + "while a fault lasted (not sent again): %d, accepted but never seen: %d%n",
                freshnessP50Ms, freshnessP99Ms, freshnessMaxMs, markersRefused, markersUnseen);
        out.printf("  the pipeline settled %.1f s after the load ended%n", settleSeconds);
        out.println("  checks:");
        checks.forEach(c -> out.printf("    %s  %s: %s%n", c.held() ? "ok  " : "FAIL", c.name(), c.detail()));
        out.println(held() ? "  every check held" : "  VIOLATION: see the checks above");
    }

    void write(Path dir) {
        RunFiles.write(dir, "chaos", run, this, ChaosChart.of(this));
    }
}

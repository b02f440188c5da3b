package io.freshet.bench;


import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A pipeline run's figures: a table with the goals (issue "real time on two cores") and ratios to the yardstick, the
 * run as JSON, and its chart; the newest run is also {@code pipeline-latest.json} and {@code .png}.
 */
record Report(String run, String finishedAt, int cores, long rowsOfTheRun, RowBinaryYardstick.Result yardstick,
              List<PhaseResult> phases, Map<String, Long> peakRssMiB) {

    static final long FRESHNESS_P95_GOAL_MS = 350;
    static final long FRESHNESS_P99_GOAL_MS = 1000;
    static final long SUSTAINED_P95_GOAL_MS = 1000;
    static final long RSS_GOAL_MIB = 256;

    void print(PrintStream out) {
        out.printf("==> Pipeline benchmark (%d cores): ingest to queryable in ClickHouse, exactly once (%,d rows, as many distinct event ids)%n",
                cores, rowsOfTheRun);
        out.printf("  %-10s %10s %11s %11s %-31s %-17s %-9s %s%n", "load", "offered/s", "accepted/s", "stored/s",
                "freshness p50/p95/p99/max ms", "request p50/p99", "inserts/s", "CPU % of a core");
        for (PhaseResult phase : phases) {
            out.printf("  %-10s %10s %,11.0f %,11.0f %-31s %-17s %-9.1f %s%n", phase.name(),
                    phase.offeredPerSecond() == null ? "flat out" : "%,d".formatted(phase.offeredPerSecond()),
                    phase.acceptedPerSecond(), phase.storedPerSecond(),
                    phase.freshnessMs() + (phase.markersMissing() > 0 ? " (" + phase.markersMissing() + " missing)" : ""),
                    "%,d / %,d ms".formatted(phase.requestLatencyMs().p50(), phase.requestLatencyMs().p99()),
                    phase.eventInsertsPerSecond(), phase.cpuPercent().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()
                                    + (e.getKey().equals("clickhouse") ? " (probe " + phase.clickHouseProbePercent() + ")" : ""))
                            .collect(Collectors.joining(", ")));
            if (!phase.otherStatuses().isEmpty() || phase.unanswered() > 0 || phase.rejected() > 0) {
                out.printf("  %-10s other answers by status %s, unanswered %d, events rejected %d%n", "",
                        phase.otherStatuses(), phase.unanswered(), phase.rejected());
            }
        }
        out.printf("  %-10s inserts/s: the parts ClickHouse wrote into freshet.events per second of the load (its block numbers);%n", "");
        out.printf("  %-10s clickhouse (probe N): N of its CPU was the freshness probe's polls (calibrated on the idle stack)%n", "");
        PhaseResult maximum = phase("maximum");
        out.printf("  %-10s %,34.0f rows/s of direct RowBinary inserts (%,d rows in %.2f s); maximum stored = %.0f%% of it%n",
                "yardstick", yardstick.rowsPerSecond(), yardstick.rows(), yardstick.seconds(),
                100 * maximum.storedPerSecond() / yardstick.rowsPerSecond());
        out.printf("  %-10s %s%n", "peak RSS", peakRssMiB.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + " MiB")
                .collect(Collectors.joining(", ")));
        out.println("  goals:");
        PhaseResult steady = phase("steady");
        goal(out, "steady p95 freshness <= " + FRESHNESS_P95_GOAL_MS + " ms", steady.freshnessMs().p95() + " ms",
                steady.freshnessMs().p95AtMost(FRESHNESS_P95_GOAL_MS));
        goal(out, "steady p99 freshness <= " + FRESHNESS_P99_GOAL_MS + " ms", steady.freshnessMs().p99() + " ms",
                steady.freshnessMs().p99AtMost(FRESHNESS_P99_GOAL_MS));
        PhaseResult sustained = phase("sustained");
        goal(out, "sustained %,d events/s stored, p95 <= %d ms".formatted(sustained.offeredPerSecond(), SUSTAINED_P95_GOAL_MS),
                "%,.0f/s, p95 %d ms".formatted(sustained.storedPerSecond(), sustained.freshnessMs().p95()),
                sustained.storedPerSecond() >= 0.98 * sustained.offeredPerSecond()
                        && sustained.freshnessMs().p95AtMost(SUSTAINED_P95_GOAL_MS));
        for (String service : List.of("ingest-gateway", "enricher", "router")) {
            Long rss = peakRssMiB.get(service);
            goal(out, service + " peak RSS <= " + RSS_GOAL_MIB + " MiB", rss == null ? "not watched" : rss + " MiB",
                    rss != null && rss <= RSS_GOAL_MIB);
        }
    }

    private static void goal(PrintStream out, String goal, String measured, boolean met) {
        out.printf("    %-50s %-22s %s%n", goal, measured, met ? "met" : "NOT met");
    }

    private PhaseResult phase(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    void write(Path dir) {
        RunFiles.write(dir, "pipeline", run, this, Chart.of(this));
    }
}

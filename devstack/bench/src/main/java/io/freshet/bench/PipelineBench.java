package io.freshet.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Events end to end, from HTTP ingest to queryable in ClickHouse, exactly once: a warm-up, a steady open-loop load, a
 * sustained higher one, and flat out, each with its own tenants and its own freshness markers; then the yardstick
 * (direct RowBinary inserts of distinct rows into a copy of freshet.events, the count checked), a table of figures and
 * ratios, the run as JSON and a chart of throughput and freshness over time under {@code FRESHET_BENCH_DIR}.
 */
final class PipelineBench {

    /** In-flight requests of the open-loop loads: enough that the offered rate holds while the gateway commits. */
    private static final int PACED_CONNECTIONS = 64;
    private static final int FLAT_OUT_CONNECTIONS = 32;
    private static final Duration STORE_DEADLINE = Duration.ofMinutes(5);
    private static final Duration MARKER_DRAIN = Duration.ofSeconds(30);

    private final BenchSettings settings;
    private final String run = "bench-" + Instant.now().getEpochSecond();
    private final long runStart = System.nanoTime();

    PipelineBench(BenchSettings settings) {
        this.settings = settings;
    }

    void run() throws InterruptedException {
        var http = new Http(settings);
        var load = new LoadGenerator(http);
        Map<String, Long> watched = new LinkedHashMap<>(settings.pids());
        watched.put("bench", ProcessHandle.current().pid()); // the load generator shares the cores too
        var processes = new Processes(watched);
        try (var warehouse = new Warehouse(settings)) {
            double pollSeconds = FreshnessProbe.clickHouseSecondsPerPoll(warehouse, processes);
            var phases = new Phases(http, load, warehouse, processes, pollSeconds);
            step("Warm-up: %,d events/s for %d s, not reported (fresh JVMs compile their hot code for the first minute)",
                    settings.steadyRate(), settings.warmUpSeconds());
            phases.run("warm", settings.steadyRate(), settings.warmUpSeconds(), PACED_CONNECTIONS);
            List<PhaseResult> results = new ArrayList<>();
            step("Steady: %,d events/s offered for %d s (open loop, 100-event batches, 4 tenants, a marker every 200 ms)",
                    settings.steadyRate(), settings.steadySeconds());
            results.add(phases.run("steady", settings.steadyRate(), settings.steadySeconds(), PACED_CONNECTIONS));
            step("Sustained: %,d events/s offered for %d s", settings.sustainedRate(), settings.sustainedSeconds());
            results.add(phases.run("sustained", settings.sustainedRate(), settings.sustainedSeconds(), PACED_CONNECTIONS));
            step("Maximum: as fast as the gateway answers %d connections, for %d s", FLAT_OUT_CONNECTIONS, settings.maxSeconds());
            results.add(phases.run("maximum", null, settings.maxSeconds(), FLAT_OUT_CONNECTIONS));

            String runTenants = "tenant_id LIKE '" + run + "-%'";
            var exactly = warehouse.query("SELECT count(), uniqExact(event_id) FROM freshet.events WHERE " + runTenants).getFirst();
            long rows = exactly.getLong(1);
            long ids = exactly.getLong(2);
            if (rows != ids) {
                throw new BenchException("not exactly once: ClickHouse holds " + rows + " rows of the run with " + ids + " distinct event ids");
            }
            step("Yardstick: %d direct RowBinary inserts of %,d of those rows each, with new event ids, into a copy of freshet.events",
                    RowBinaryYardstick.INSERTS, RowBinaryYardstick.ROWS);
            var yardstick = new RowBinaryYardstick(warehouse).run(runTenants);
            var report = new Report(run, Instant.now().toString(), Runtime.getRuntime().availableProcessors(), rows, yardstick, results,
                    processes.peakRssMiB());
            report.print(System.out);
            report.write(settings.outDir());
        }
    }

    /** Runs each load with tenants of its own, so what an earlier load still stores does not count in a later one. */
    private final class Phases {
        private final Http http;
        private final LoadGenerator load;
        private final Warehouse warehouse;
        private final Processes processes;
        /** ClickHouse's CPU seconds for one freshness poll. */
        private final double pollSeconds;

        Phases(Http http, LoadGenerator load, Warehouse warehouse, Processes processes, double pollSeconds) {
            this.http = http;
            this.load = load;
            this.warehouse = warehouse;
            this.processes = processes;
            this.pollSeconds = pollSeconds;
        }

        PhaseResult run(String name, Integer rate, int seconds, int connections) throws InterruptedException {
            String prefix = run + "-" + name;
            List<String> tenants = List.of(prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4");
            List<String> keys = new ArrayList<>();
            for (String tenant : tenants) {
                keys.add(http.createTenant(tenant));
            }
            String markerTenant = prefix + "-marker";
            List<double[]> stored = new ArrayList<>();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            try (var probe = new FreshnessProbe(http, warehouse, markerTenant, http.createTenant(markerTenant), runStart)) {
                long start = System.nanoTime();
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        long rows = warehouse.rowsOf(tenants);
                        synchronized (stored) {
                            stored.add(new double[] {seconds(System.nanoTime()), rows});
                        }
                    } catch (RuntimeException e) {
                        System.err.println("bench: counting stored rows failed (" + e.getMessage() + ")");
                    }
                }, 0, 1, TimeUnit.SECONDS);
                probe.start();
                Map<String, Double> cpuBefore = processes.cpuSeconds();
                long blocksBefore = warehouse.eventsBlockNumber();
                long pollsBefore = probe.polls();
                LoadGenerator.Result answered = rate == null
                        ? load.flatOut(keys, Duration.ofSeconds(seconds), connections)
                        : load.paced(keys, rate, Duration.ofSeconds(seconds), connections);
                var cpu = Processes.cpuPercent(cpuBefore, processes.cpuSeconds(), answered.seconds());
                double insertsPerSecond = (warehouse.eventsBlockNumber() - blocksBefore) / answered.seconds();
                long probePercent = Math.round(100 * (probe.polls() - pollsBefore) * pollSeconds / answered.seconds());
                long rows = awaitStored(tenants, answered.accepted(), start);
                double untilStored = (System.nanoTime() - start) / 1e9;
                probe.stopSending(MARKER_DRAIN);
                synchronized (stored) {
                    return new PhaseResult(name, rate, seconds, answered.requests(), answered.accepted(), answered.rejected(),
                            answered.otherStatuses(), answered.unanswered(), answered.acceptedPerSecond(), rows,
                            untilStored, rows / untilStored, Percentiles.of(probe.freshness()), probe.missing(),
                            Percentiles.of(answered.latencyMs()), insertsPerSecond, cpu, probePercent, seconds(start), answered.acceptedEachSecond(),
                            List.copyOf(stored), probe.samples());
                }
            } finally {
                sampler.shutdownNow();
            }
        }

        /** Waits until ClickHouse holds as many rows of the tenants as the gateway accepted; returns how many it holds. */
        private long awaitStored(List<String> tenants, long accepted, long start) throws InterruptedException {
            long deadline = System.nanoTime() + STORE_DEADLINE.toNanos();
            long rows;
            while ((rows = warehouse.rowsOf(tenants)) < accepted) {
                if (System.nanoTime() - deadline > 0) {
                    throw new BenchException("%d s after the load ClickHouse holds %,d of the %,d events the gateway accepted"
                            .formatted(STORE_DEADLINE.toSeconds(), rows, accepted));
                }
                Thread.sleep(100);
            }
            return rows;
        }
    }

    private double seconds(long nanoTime) {
        return (nanoTime - runStart) / 1e9;
    }

    static void step(String format, Object... args) {
        System.out.println("==> " + format.formatted(args));
    }
}

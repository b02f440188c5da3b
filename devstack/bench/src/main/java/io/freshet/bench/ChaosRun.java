package io.freshet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./freshet chaos}: a retrying client's load through the gateway while faults hit the stack at times drawn
 * from the seed, then, once the pipeline settled, the checks ({@link ChaosChecks}) and a report. Anyone can prove
 * exactly once on their own install, on demand.
 */
final class ChaosRun {

    private static final Duration MARKER_DRAIN = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofMinutes(5);

    private final BenchSettings settings;
    private final ChaosSettings chaos;

    ChaosRun(BenchSettings settings, ChaosSettings chaos) {
        this.settings = settings;
        this.chaos = chaos;
    }

    /** Runs it; true when every check held. */
    boolean run() throws InterruptedException {
        String run = LocalDateTime.now().withNano(0).toString().replace(":", "");
        List<Fault> plan = Fault.plan(chaos.seed(), chaos.seconds(), chaos.faults());
        System.out.printf("==> Chaos: %d s at %,d events/s, seed %d, %d faults: %s%n", chaos.seconds(), chaos.rate(),
                chaos.seed(), plan.size(), plan.stream().map(f -> f.kind().name().toLowerCase() + " " + f.part() + " at "
                        + f.atSeconds() + " s").toList());
        var http = new Http(settings);
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String tenant = "chaos-" + chaos.seed() + "-" + suffix;
        String apiKey = http.createTenant(tenant);
        String markerTenant = "chaos-marker-" + suffix;
        String markerKey = http.createTenant(markerTenant);
        try {
            Files.createDirectories(settings.outDir());
        } catch (IOException e) {
            throw new BenchException("cannot create " + settings.outDir(), e);
        }
        try (var warehouse = new Warehouse(settings); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var injector = new FaultInjector(chaos.cli(), chaos.runDir(), settings.outDir().resolve("chaos-" + run + ".log"));
            long start = System.nanoTime();
            try (var probe = new FreshnessProbe(http, warehouse, markerTenant, markerKey, start)) {
                probe.start();
                Future<List<Fault>> injected = threads.submit(() -> inject(plan, injector, start));
                ChaosLoad.Result load = new ChaosLoad(http, apiKey).run(chaos.rate(), Duration.ofSeconds(chaos.seconds()));
                List<Fault> faults = await(injected);
                System.out.printf("  load done: %,d events acknowledged of %,d sent; waiting for the pipeline to settle%n",
                        load.acknowledged().size(), load.attempted().size());
                probe.stopSending(MARKER_DRAIN);
                Duration settled;
                List<ChaosChecks.Check> verdicts = new ArrayList<>();
                verdicts.add(new ChaosChecks.Check("every fault was injected and its part came back",
                        faults.stream().noneMatch(f -> f.outcome().startsWith("FAILED")), faults.size() + " faults"));
                verdicts.add(new ChaosChecks.Check("no batch of the valid load was refused", load.refusedByStatus().isEmpty(),
                        load.refusedByStatus().isEmpty() ? "none refused" : "batches refused by status: " + load.refusedByStatus()));
                try (var checks = new ChaosChecks(warehouse, http, chaos.kafkaBootstrapServers())) {
                    settled = checks.settle(tenant, load.acknowledged().size(), SETTLE);
                    verdicts.addAll(checks.check(tenant, load));
                }
                var report = ChaosReport.of(run, chaos, faults, load, probe, settled.toMillis() / 1000.0, verdicts);
                report.print(System.out);
                report.write(settings.outDir());
                return report.held();
            }
        }
    }

    private static List<Fault> inject(List<Fault> plan, FaultInjector injector, long start) throws InterruptedException {
        List<Fault> done = new ArrayList<>();
        for (Fault fault : plan) {
            long due = start + (long) (fault.atSeconds() * 1e9);
            LoadGenerator.parkUntil(due);
            double at = (System.nanoTime() - start) / 1e9;
            String outcome;
            try {
                outcome = injector.inject(fault);
            } catch (BenchException e) {
                outcome = "FAILED: " + e.getMessage();
            }
            System.out.printf("  %6.1f s  %-6s %-15s %s%n", at, fault.kind().name().toLowerCase(), fault.part(), outcome);
            done.add(fault.injected(Math.round(at * 10) / 10.0, outcome));
        }
        return done;
    }

    private static List<Fault> await(Future<List<Fault>> injected) throws InterruptedException {
        try {
            return injected.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("the fault injection did not finish", e);
        }
    }
}

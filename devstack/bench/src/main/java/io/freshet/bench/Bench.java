package io.freshet.bench;

import java.util.List;

/**
 * {@code ./freshet bench pipeline}: events end to end, from HTTP ingest to queryable in ClickHouse (see
 * {@link PipelineBench}); {@code ./freshet chaos}: the same under faults ({@link ChaosRun}). Settings come from the
 * environment ({@link BenchSettings}, {@link ChaosSettings}). The exit status is 0 when the run completed and proved
 * exactly once (the bench: whatever its figures; chaos: every check held), 1 when it did not.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        if (args.length != 1 || !List.of("pipeline", "chaos").contains(args[0])) {
            System.err.println("Usage: Bench pipeline|chaos (run by ./freshet bench pipeline and ./freshet chaos)");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true"); // the charts are drawn without a display
        try {
            if (args[0].equals("chaos")) {
                System.exit(new ChaosRun(BenchSettings.fromEnvironment(), ChaosSettings.fromEnvironment()).run() ? 0 : 1);
            }
            new PipelineBench(BenchSettings.fromEnvironment()).run();
        } catch (BenchException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(130);
        }
    }
}

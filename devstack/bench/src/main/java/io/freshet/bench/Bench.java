package io.freshet.bench;

/**
 * {@code ./freshet bench pipeline}: events end to end, from HTTP ingest to queryable in ClickHouse (see
 * {@link PipelineBench}). Settings come from the environment ({@link BenchSettings}); the exit status is 0 when the run
 * completed and proved exactly once, whatever its figures, and 1 when it could not.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        if (args.length != 1 || !args[0].equals("pipeline")) {
            System.err.println("Usage: Bench pipeline (the other benchmarks run from ./freshet)");
            System.exit(2);
        }
        try {
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

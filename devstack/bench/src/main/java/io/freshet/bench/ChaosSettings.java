package io.freshet.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * What {@code ./freshet chaos} asked for, from the environment it sets: how long, how many events per second, which
 * fault kinds, the seed of their order and timing, and how to reach the stack's command line and state.
 *
 * @param cli    the {@code freshet} script, which restarts what a fault stopped
 * @param runDir the stack's {@code .freshet/run}, where each part's pid is kept
 */
record ChaosSettings(int seconds, int rate, Set<FaultKind> faults, long seed, Path cli, Path runDir,
                     String kafkaBootstrapServers) {

    static ChaosSettings fromEnvironment() {
        String seed = System.getenv().getOrDefault("FRESHET_CHAOS_SEED", "");
        long parsedSeed;
        try {
            parsedSeed = seed.isBlank() ? System.nanoTime() % 1_000_000 : Long.parseLong(seed.strip());
        } catch (NumberFormatException e) {
            throw new BenchException("FRESHET_CHAOS_SEED must be a whole number, not '" + seed + "'");
        }
        return new ChaosSettings(BenchSettings.number("FRESHET_CHAOS_SECONDS", 60), BenchSettings.number("FRESHET_CHAOS_RATE", 1000),
                FaultKind.parse(System.getenv().getOrDefault("FRESHET_CHAOS_FAULTS", "kill,pause,outage")), parsedSeed,
                Path.of(BenchSettings.required("FRESHET_CLI")), Path.of(BenchSettings.required("FRESHET_RUN_DIR")),
                BenchSettings.required("KAFKA_BOOTSTRAP_SERVERS"));
    }
}

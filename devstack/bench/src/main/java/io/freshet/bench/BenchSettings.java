package io.freshet.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run needs, from the environment that {@code ./freshet bench} sets (the admin token too: never on a command
 * line): the endpoints, where to write, the loads, and the pids of the parts to watch.
 *
 * @param pids the local stack's parts by name (FRESHET_BENCH_PIDS="ingest-gateway=123,enricher=456,...")
 */
record BenchSettings(String ingestUrl, String analyticsUrl, String routerUrl, String clickHouseUrl, String clickHouseUser,
                     String clickHousePassword, String adminToken, Path outDir, int warmUpSeconds, int steadyRate, int steadySeconds,
                     int sustainedRate, int sustainedSeconds, int maxSeconds, Map<String, Long> pids) {

    static BenchSettings fromEnvironment() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String entry : System.getenv().getOrDefault("FRESHET_BENCH_PIDS", "").split(",")) {
            String[] part = entry.split("=");
            if (part.length == 2 && !part[1].isBlank()) {
                pids.put(part[0], Long.parseLong(part[1].strip()));
            }
        }
        int seconds = number("FRESHET_BENCH_SECONDS", 30);
        return new BenchSettings(required("INGEST_URL"), required("ANALYTICS_URL"),
                System.getenv().getOrDefault("ROUTER_URL", "http://127.0.0.1:8082"), required("CLICKHOUSE_URL"),
                System.getenv().getOrDefault("CLICKHOUSE_USER", "default"), System.getenv().getOrDefault("CLICKHOUSE_PASSWORD", ""),
                required("FRESHET_ADMIN_TOKEN"), Path.of(required("FRESHET_BENCH_DIR")),
                number("FRESHET_BENCH_WARMUP_SECONDS", 40), number("FRESHET_BENCH_RATE", 10_000), seconds,
                number("FRESHET_BENCH_SUSTAINED_RATE", 30_000), number("FRESHET_BENCH_SUSTAINED_SECONDS", 60), seconds, pids);
    }

    static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new BenchException(name + " is not set (./freshet bench sets it)");
        }
        return value;
    }

    static int number(String name, int fallback) {
        String value = System.getenv(name);
        try {
            int number = value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
            if (number <= 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new BenchException(name + " must be a positive whole number, not '" + value + "'");
        }
    }
}

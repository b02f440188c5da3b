package io.freshet.bench;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** What {@code ./freshet chaos} does to the stack. */
enum FaultKind {
    /** kill -9 of a service, started again a few seconds later. */
    KILL,
    /** SIGSTOP of a service for a few seconds, then SIGCONT: a long GC pause or a frozen VM as its peers see it. */
    PAUSE,
    /** An engine (Kafka, ClickHouse, the registry, Redis) stopped for several seconds, then started again. */
    OUTAGE;

    static Set<FaultKind> parse(String csv) {
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        for (String name : csv.split(",")) {
            kinds.add(Arrays.stream(values()).filter(kind -> kind.name().equalsIgnoreCase(name.strip())).findFirst()
                    .orElseThrow(() -> new BenchException("unknown fault '" + name.strip() + "': use kill, pause, outage")));
        }
        return kinds;
    }
}

package io.freshet.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One fault of a chaos run: what, to which part, when (seconds into the load) and for how long.
 *
 * @param outcome what the injection reported (null until injected)
 */
record Fault(FaultKind kind, String part, double atSeconds, double forSeconds, String outcome) {

    static final List<String> SERVICES = List.of("ingest-gateway", "enricher", "router", "analytics-api");
    static final List<String> ENGINES = List.of("kafka", "clickhouse", "registry", "redis");
    /** Quiet time before the first fault and after the last: the pipeline is seen running, then recovering. */
    private static final double MARGIN_SECONDS = 8;

    /** The fault as it was done: when, and what came of it. */
    Fault injected(double atSeconds, String result) {
        return new Fault(kind, part, atSeconds, forSeconds, result);
    }

    /**
     * The faults of a run, from the seed: every target of every kind asked for when the run is long enough (at least
     * 25 s apart), else every kind once on a target drawn from the seed; never two at a time.
     */
    static List<Fault> plan(long seed, int seconds, Set<FaultKind> kinds) {
        Random random = new Random(seed);
        List<Fault> targets = new ArrayList<>();
        for (FaultKind kind : kinds) {
            List<String> parts = kind == FaultKind.OUTAGE ? ENGINES : kind == FaultKind.PAUSE ? SERVICES.subList(0, 3) : SERVICES;
            for (String part : parts) {
                targets.add(new Fault(kind, part, 0, 0, null));
            }
        }
        Collections.shuffle(targets, random);
        double window = seconds - 2 * MARGIN_SECONDS;
        if (targets.size() * 25.0 > window) { // a short run: each kind once
            List<Fault> once = new ArrayList<>();
            for (FaultKind kind : kinds) {
                targets.stream().filter(f -> f.kind() == kind).findFirst().ifPresent(once::add);
            }
            targets = once;
        }
        double spacing = window / targets.size();
        List<Fault> planned = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Fault target = targets.get(i);
            double longest = Math.max(2, Math.min(spacing * 0.6, target.kind() == FaultKind.OUTAGE ? 15 : 8));
            double length = Math.round((2 + random.nextDouble() * (longest - 2)) * 10) / 10.0;
            double at = Math.round((MARGIN_SECONDS + i * spacing + random.nextDouble() * (spacing - length) * 0.5) * 10) / 10.0;
            planned.add(new Fault(target.kind(), target.part(), at, length, null));
        }
        return planned;
    }
}

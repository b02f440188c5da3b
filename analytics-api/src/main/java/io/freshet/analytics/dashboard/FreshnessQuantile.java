package io.freshet.analytics.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A quantile of what a histogram recorded between two scrapes of its cumulative buckets. */
final class FreshnessQuantile {

    private FreshnessQuantile() {
    }

    /** The q-quantile (0..1) in ms (the upper bound of the bucket it falls in); null when nothing was recorded. */
    static Double millis(Map<Double, Double> before, Map<Double, Double> after, double q) {
        List<Map.Entry<Double, Double>> deltas = new ArrayList<>();
        after.forEach((upper, count) -> deltas.add(Map.entry(upper, count - before.getOrDefault(upper, 0.0))));
        double total = deltas.isEmpty() ? 0 : deltas.getLast().getValue();
        if (total <= 0) {
            return null;
        }
        for (Map.Entry<Double, Double> bucket : deltas) {
            if (bucket.getValue() >= q * total) {
                return bucket.getKey().isInfinite() ? null : bucket.getKey() * 1000;
            }
        }
        return null;
    }
}

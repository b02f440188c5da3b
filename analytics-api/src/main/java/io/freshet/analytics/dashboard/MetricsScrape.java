package io.freshet.analytics.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One scrape of a service's Prometheus text ({@code /q/metrics}), and the sums the dashboard reads from it. */
record MetricsScrape(List<String> lines) {

    static final MetricsScrape DOWN = new MetricsScrape(null);

    static MetricsScrape of(String text) {
        return new MetricsScrape(text.lines().filter(l -> !l.startsWith("#")).toList());
    }

    boolean up() {
        return lines != null;
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels}. */
    double sum(String name, String... labels) {
        if (lines == null) {
            return 0;
        }
        double sum = 0;
        for (String line : lines) {
            if (line.startsWith(name) && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && matches(line, labels)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** A histogram's cumulative bucket counts by upper bound (seconds), summed over its series. */
    Map<Double, Double> buckets(String histogram) {
        Map<Double, Double> buckets = new TreeMap<>();
        if (lines == null) {
            return buckets;
        }
        String prefix = histogram + "_bucket{";
        for (String line : lines) {
            int le = line.indexOf("le=\"");
            if (line.startsWith(prefix) && le > 0) {
                String bound = line.substring(le + 4, line.indexOf('"', le + 4));
                double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
                buckets.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return buckets;
    }

    private static boolean matches(String line, String[] labels) {
        for (String label : labels) {
            if (!line.contains(label)) {
                return false;
            }
        }
        return true;
    }

    /** The q-quantile (0..1) of what a histogram recorded between two scrapes, in ms (the bucket's upper bound). */
    static Double quantileMillis(Map<Double, Double> before, Map<Double, Double> after, double q) {
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

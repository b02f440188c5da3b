package io.freshet.eventmodel.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A service's metrics in Prometheus' text format ({@code /q/metrics}), read as a scrape would read them. */
public record PrometheusText(List<String> samples) {

    public static PrometheusText of(String text) {
        return new PrometheusText(text.lines().filter(line -> !line.startsWith("#")).toList());
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels} (e.g. {@code tenant="acme"}). */
    public double sum(String name, String... labels) {
        String labelled = name + "{";
        String bare = name + " ";
        double sum = 0;
        for (String line : samples) {
            if ((line.startsWith(labelled) || line.startsWith(bare)) && containsAll(line, labels)) {
                sum += value(line);
            }
        }
        return sum;
    }

    /** A histogram's cumulative bucket counts by upper bound (seconds), summed over its series. */
    public Map<Double, Double> buckets(String histogram) {
        Map<Double, Double> buckets = new TreeMap<>();
        String prefix = histogram + "_bucket{";
        for (String line : samples) {
            int le = line.startsWith(prefix) ? line.indexOf("le=\"") : -1;
            if (le > 0) {
                String bound = line.substring(le + 4, line.indexOf('"', le + 4));
                buckets.merge(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), value(line), Double::sum);
            }
        }
        return buckets;
    }

    private static boolean containsAll(String line, String[] labels) {
        for (String label : labels) {
            if (!line.contains(label)) {
                return false;
            }
        }
        return true;
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}

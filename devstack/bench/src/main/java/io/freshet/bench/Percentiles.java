package io.freshet.bench;

import org.HdrHistogram.Histogram;

/** A distribution's p50, p95, p99 and maximum (ms) over {@code count} values. */
record Percentiles(long count, long p50, long p95, long p99, long max) {

    static Percentiles of(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        return new Percentiles(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(95), histogram.getValueAtPercentile(99), histogram.getMaxValue());
    }

    /** True when there were samples and their p95 is at most {@code ms}. */
    boolean p95AtMost(long ms) {
        return count > 0 && p95 <= ms;
    }

    /** True when there were samples and their p99 is at most {@code ms}. */
    boolean p99AtMost(long ms) {
        return count > 0 && p99 <= ms;
    }

    @Override
    public String toString() {
        return count == 0 ? "no samples" : "%,d / %,d / %,d / %,d".formatted(p50, p95, p99, max);
    }
}

package io.freshet.bench;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A run over time, on one time axis: events accepted and rows stored per second (top), and each marker's freshness
 * (bottom, with the steady goal as a line), each load's start marked.
 */
final class Chart {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 800;
    /** Samples of the stored count (about one a second) per point of the stored line. */
    private static final int STORED_WINDOW = 5;

    private final JFreeChart chart;

    Chart(JFreeChart chart) {
        this.chart = chart;
    }

    static Chart of(Report report) {
        var accepted = new XYSeries("events accepted per second (202s)", false);
        var stored = new XYSeries("rows stored per second (ClickHouse count, over 5 s)", false);
        var freshness = new XYSeries("marker freshness, ms (202 to queryable)");
        for (PhaseResult phase : report.phases()) {
            long[] perSecond = phase.acceptedSeries();
            for (int s = 0; s < perSecond.length; s++) {
                accepted.add(phase.startSeconds() + s + 0.5, perSecond[s]);
            }
            accepted.add(phase.startSeconds() + perSecond.length + 1, null); // no line into the next load
            // the router inserts in batches: the count's growth over 5 s, not each second's jumps
            List<double[]> samples = phase.storedSeries();
            for (int i = STORED_WINDOW; i < samples.size(); i++) {
                double[] before = samples.get(i - STORED_WINDOW);
                double[] after = samples.get(i);
                stored.add((before[0] + after[0]) / 2, (after[1] - before[1]) / (after[0] - before[0]));
            }
            stored.add(samples.isEmpty() ? phase.startSeconds() : samples.getLast()[0] + 1, null);
            phase.markers().forEach(marker -> freshness.add(marker.acceptedAtSeconds(), marker.freshnessMs()));
        }
        var throughput = new XYPlot(new XYSeriesCollection(accepted), null, new NumberAxis("events/s"), lines(new Color(0x1f77b4)));
        throughput.setDataset(1, new XYSeriesCollection(stored));
        throughput.setRenderer(1, lines(new Color(0xd62728)));
        var freshnessPlot = new XYPlot(new XYSeriesCollection(freshness), null, new NumberAxis("ms"), dots(new Color(0x2ca02c)));
        var goal = new ValueMarker(Report.FRESHNESS_P95_GOAL_MS, Color.GRAY, new BasicStroke(1f));
        goal.setLabel("steady p95 goal " + Report.FRESHNESS_P95_GOAL_MS + " ms");
        goal.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        goal.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        freshnessPlot.addRangeMarker(goal);

        var plot = new CombinedDomainXYPlot(new NumberAxis("seconds since the run started"));
        plot.add(throughput, 3);
        plot.add(freshnessPlot, 2);
        for (PhaseResult phase : report.phases()) {
            var start = new ValueMarker(phase.startSeconds(), Color.DARK_GRAY, new BasicStroke(1f));
            start.setLabel(phase.name() + (phase.offeredPerSecond() == null ? " (flat out)" : " (%,d/s offered)".formatted(phase.offeredPerSecond())));
            start.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            start.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            throughput.addDomainMarker(start);
        }
        return new Chart(new JFreeChart("Freshet pipeline, " + report.run() + " (" + report.cores() + " cores)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }

    static XYLineAndShapeRenderer lines(Color color) {
        var renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        return renderer;
    }

    static XYLineAndShapeRenderer dots(Color color) {
        var renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-2, -2, 4, 4));
        return renderer;
    }

    void write(Path png) throws IOException {
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}

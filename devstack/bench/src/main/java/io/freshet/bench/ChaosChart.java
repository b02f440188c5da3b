package io.freshet.bench;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
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

/** A chaos run over time: events acknowledged per second (top) and marker freshness (bottom), each fault shaded. */
final class ChaosChart {

    private static final Color[] FAULT_COLORS = {new Color(255, 120, 120, 70), new Color(255, 200, 80, 70), new Color(120, 150, 255, 70)};

    private final JFreeChart chart;

    private ChaosChart(JFreeChart chart) {
        this.chart = chart;
    }

    static ChaosChart of(ChaosReport report) {
        System.setProperty("java.awt.headless", "true");
        var acknowledged = new XYSeries("events acknowledged per second (202s)");
        long[] perSecond = report.acknowledgedEachSecond();
        for (int s = 0; s < perSecond.length; s++) {
            acknowledged.add(s + 0.5, perSecond[s]);
        }
        var freshness = new XYSeries("marker freshness, ms (202 to queryable)");
        report.freshness().forEach(sample -> freshness.add(sample.acceptedAtSeconds(), sample.freshnessMs()));

        var lines = new XYLineAndShapeRenderer(true, false);
        lines.setSeriesPaint(0, new Color(0x1f77b4));
        lines.setSeriesStroke(0, new BasicStroke(1.5f));
        var dots = new XYLineAndShapeRenderer(false, true);
        dots.setSeriesPaint(0, new Color(0x2ca02c));
        dots.setSeriesShape(0, new Ellipse2D.Double(-2, -2, 4, 4));
        var throughput = new XYPlot(new XYSeriesCollection(acknowledged), null, new NumberAxis("events/s"), lines);
        var freshnessPlot = new XYPlot(new XYSeriesCollection(freshness), null, new NumberAxis("ms"), dots);
        for (Fault fault : report.faults()) {
            for (XYPlot plot : new XYPlot[]{throughput, freshnessPlot}) {
                var span = new IntervalMarker(fault.atSeconds(), fault.atSeconds() + fault.forSeconds());
                span.setPaint(FAULT_COLORS[fault.kind().ordinal()]);
                if (plot == throughput) {
                    span.setLabel(fault.kind().name().toLowerCase() + " " + fault.part());
                    span.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                    span.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                }
                plot.addDomainMarker(span);
            }
        }
        var plot = new CombinedDomainXYPlot(new NumberAxis("seconds since the load started"));
        plot.add(throughput, 3);
        plot.add(freshnessPlot, 2);
        String verdict = report.held() ? "every check held" : "VIOLATION";
        return new ChaosChart(new JFreeChart("Freshet chaos run %s, seed %d: %s".formatted(report.run(), report.seed(), verdict),
                JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }

    void write(Path png) throws IOException {
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 800);
    }
}

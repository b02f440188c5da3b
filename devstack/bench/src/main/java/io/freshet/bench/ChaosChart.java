package io.freshet.bench;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;

/**
 * A chaos run over time, drawn as the bench's {@link Chart}: events acknowledged per second (top) and marker freshness
 * (bottom), each fault shaded.
 */
final class ChaosChart {

    private static final Color[] FAULT_COLORS = {new Color(255, 120, 120, 70), new Color(255, 200, 80, 70), new Color(120, 150, 255, 70)};

    private ChaosChart() {
    }

    static Chart of(ChaosReport report) {
        var acknowledged = new XYSeries("events acknowledged per second (202s)");
        long[] perSecond = report.acknowledgedEachSecond();
        for (int s = 0; s < perSecond.length; s++) {
            acknowledged.add(s + 0.5, perSecond[s]);
        }
        var freshness = new XYSeries("marker freshness, ms (202 to queryable)");
        report.freshness().forEach(sample -> freshness.add(sample.acceptedAtSeconds(), sample.freshnessMs()));

        var throughput = new XYPlot(new XYSeriesCollection(acknowledged), null, new NumberAxis("events/s"),
                Chart.lines(new Color(0x1f77b4)));
        var freshnessPlot = new XYPlot(new XYSeriesCollection(freshness), null, new NumberAxis("ms"),
                Chart.dots(new Color(0x2ca02c)));
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
        return new Chart(new JFreeChart("Freshet chaos run %s, seed %d: %s".formatted(report.run(), report.seed(), verdict),
                JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }
}

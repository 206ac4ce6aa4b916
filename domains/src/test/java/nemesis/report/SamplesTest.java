package nemesis.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nemesis.report.TimeSequencePlot.Ack;
import nemesis.report.TimeSequencePlot.Segment;
import nemesis.report.XyChart.Style;
import org.junit.jupiter.api.Test;

/** Renders one sample of each figure to target/report-samples/ to look at. */
class SamplesTest {
    @Test
    void renderSamples() throws Exception {
        Path out = Path.of("target", "report-samples");
        XyChartTest.figure5().write(out, "figure5");
        XyChartTest.figure6().write(out, "figure6");
        figure7().write(out, "figure7");
        figure4().window(1_000_000_000L, 1_400_000_000L).write(out, "figure4");
        figure4().write(out, "figure4-all");
        palette().write(out, "palette");
        palette().size(360, 260).write(out, "palette-small");
        figure4().size(420, 300).window(1_000_000_000L, 1_200_000_000L).write(out, "figure4-small");
        assertTrue(Files.size(out.resolve("figure4.png")) > 1000);
    }

    /** Every colour and marker, negative values, long labels: for checking legibility. */
    static XyChart palette() {
        XyChart c = XyChart.of("Every series style, colour and marker, with a long title that may need cutting",
                "x, a quantity with a long axis title (units)", "y (units)");
        for (int k = 0; k < 8; k++) {
            double[][] pts = new double[12][];
            for (int i = 0; i < 12; i++) {
                pts[i] = new double[] {i * 0.25, Math.sin(i * 0.5 + k) * (k + 1) - 2};
            }
            XyChart.Style st = XyChart.Style.values()[k % XyChart.Style.values().length];
            c.series("series " + k + " " + st.name().toLowerCase(java.util.Locale.ROOT), pts, st);
        }
        return c.annotation("first note line").annotation("second note line");
    }

    static XyChart figure7() {
        double[][] pts = {{1, 1.1}, {2, 2.0}, {3, 3.2}, {4, 4.1}, {5, 5.0}, {6, 6.2}, {7, 7.0}, {8, 8.1}, {9, 9.0},
            {10, 10.2}};
        double[] fit = XyChart.fitLine(pts);
        return XyChart.of("Figure 7: Fraction of CPU necessary to send particular amount of data",
                        "target throughput (Mb/s)", "CPU fraction reserved (%)")
                .annotation("100 Mb/s Ethernet, tx (1 ms, 110 us \u00d7 target/10, no), P200 cost model, seed 1")
                .annotation(String.format(java.util.Locale.ROOT, "fit: %.2f %% per Mb/s %+.2f %%", fit[0], fit[1]))
                .series("minimum CPU share sustaining the target", pts, Style.POINTS)
                .line("least squares fit", fit[0], fit[1], Style.DASHED_LINE)
                .series("paper (Table 1)", new double[][] {{5, 5}, {10, 10}}, Style.HOLLOW_POINTS);
    }

    /** Figure 4 style: two segments per 50 ms period, delayed ACKs, a loss and its retransmission. */
    static TimeSequencePlot figure4() {
        List<Segment> segs = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        long next = 0;
        for (int p = 0; p < 40; p++) {
            long t = p * 50_000_000L;
            for (int k = 0; k < 2; k++) {
                segs.add(new Segment(t + k * 1_200_000L, next, 1460, false));
                next += 1460;
            }
            if (p == 24) {
                segs.add(new Segment(t + 2_400_000L, next - 4 * 1460, 1460, true));
            }
            long acked = p >= 22 && p < 24 ? 22 * 2 * 1460 - 1460 : next;
            acks.add(new Ack(t + 3_100_000L, acked, 8760 - (p % 3) * 1460));
        }
        return TimeSequencePlot.of("Figure 4: QoS TCP transmitting (tcpdump plot)", segs, acks)
                .annotation("tx period 50 ms, slice 2.4 ms, no extra: two MTU packets per period; SunOS receiver");
    }
}

package nemesis.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nemesis.report.XyChart;
import nemesis.run.ScenarioRunner;

/**
 * Figure 6: tcp_send (cpu 10 ms, 2 ms, extra; a large transmit reservation with extra) alone on the
 * de4x5 at 100 Mb/s, then with a carnage domain that takes a growing share of the CPU (cpu 20 ms,
 * slice, no extra; it uses all of it). The paper: ~53 Mb/s alone, falling in proportion as carnage's
 * share grows to 72% (the rest of the 80% is the drivers' and the flow manager's).
 *
 * <p>The CPU admission cap is 100% here so that carnage can have the paper's 72% next to tcp_send's
 * 20%, the driver's 2% and the flow manager's 5%.
 */
final class Fig6 implements Experiment {
    static final int[] SHARES_PERCENT = {0, 10, 20, 30, 40, 50, 60, 70, 72};

    @Override
    public String name() {
        return "fig6";
    }

    @Override
    public boolean supports(Receiver r) {
        return true; // its receiver is a Linux
    }

    @Override
    public String summary() {
        return "CPU taken by carnage cuts tcp_send's throughput: ~53 Mb/s alone, falling proportionally (paper)";
    }

    static String scenario(String name, int carnagePercent) {
        String carnage = carnagePercent == 0 ? "" : """
                  - name: carnage
                    program: carnage
                    cpu: { period: 20ms, slice: SLICEus, extra: false }
                """.replace("SLICE", Long.toString(20_000L * carnagePercent / 100));
        return Runs.de4x5("Figure 6 of \"Scheduling TCP in the Nemesis Operating System\": tcp_send's throughput at 100 Mb/s\n"
                        + "while a carnage domain takes " + carnagePercent + "% of the CPU.", name, "6s", "1s",
                "admission: { cpu: 100% }\n", false, 5001) + """
                  - name: s1
                    program: tcp_send
                    args: { to: "peer:5001" }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 1ms, slice: 900us, extra: true }
                """ + carnage;
    }

    @Override
    public Result run(Path out, PrintStream progress, Receiver receiver) throws Exception {
        Runs runs = new Runs(out, progress, receiver);
        List<Map<String, Object>> points = new ArrayList<>();
        List<double[]> xy = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add("carnage share   tcp_send goodput (Mb/s)   tcp_send CPU   driver CPU");
        for (int pct : SHARES_PERCENT) {
            String name = String.format(Locale.ROOT, "fig6-carnage-%02d", pct);
            ScenarioRunner.Outcome o = runs.run(name, scenario(name, pct));
            double share = pct == 0 ? 0.0 : Runs.domain(o, "carnage", "cpu", "share");
            double mbps = Experiment.mbps(Runs.domain(o, "s1", "goodput_bps"));
            double s1Cpu = Runs.domain(o, "s1", "cpu", "share");
            double driverCpu = Runs.domain(o, "driver", "cpu", "share");
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("carnage_share", Fig4.round3(share));
            p.put("goodput_mbps", Fig4.round3(mbps));
            p.put("carnage_reserved", pct / 100.0);
            p.put("tcp_send_cpu_share", Fig4.round3(s1Cpu));
            p.put("driver_cpu_share", Fig4.round3(driverCpu));
            points.add(p);
            xy.add(new double[] {share * 100, mbps});
            table.add(String.format(Locale.ROOT, "%12.1f%%   %23.2f   %11.1f%%   %9.1f%%", share * 100, mbps,
                    s1Cpu * 100, driverCpu * 100));
        }
        double[] fit = XyChart.fitLine(xy.toArray(new double[0][]));
        XyChart.of("Figure 6: CPU-intensive domain interfering with tcp_send", "carnage's CPU share (%)",
                        "tcp_send throughput (Mb/s, 2^20 bit/s)")
                .annotation("tcp_send cpu (10 ms, 2 ms, extra), tx (1 ms, 900 us, extra); carnage cpu (20 ms, slice, no)")
                .annotation(String.format(Locale.ROOT, "P200 + de4x5 at 100 Mb/s, %s, seed 1; fit %.3f Mb/s per %% %+.1f",
                        runs.receiverLabel(), fit[0], fit[1]))
                .series("emulated", xy, XyChart.Style.LINE_AND_POINTS)
                .series("paper: ~53 Mb/s alone", new double[][] {{0, 53}}, XyChart.Style.HOLLOW_POINTS)
                .xRange(0, 80)
                .write(out, "fig6");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("points", points);
        json.put("fit", Runs.ordered("slope_mbps_per_percent", Fig4.round3(fit[0]), "intercept_mbps", Fig4.round3(fit[1])));
        json.put("paper", "about 53 Mb/s alone; throughput falls proportionally as carnage's share grows to 72%");
        table.add(String.format(Locale.ROOT, "alone: %.1f Mb/s (paper ~53); linear fit %.3f Mb/s per %% of carnage",
                xy.get(0)[1], fit[0]));
        return new Result(json, table, List.of(out.resolve("fig6.svg"), out.resolve("fig6.png"), runs.dir()));
    }
}

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
 * Figure 7: the CPU fraction tcp_send needs for a target throughput on the de4x5 at 100 Mb/s.
 * tcp_send reserves the transmit time of its target (10 Mb/s: tx (1 ms, 110 us, no); T Mb/s:
 * 11 us x T per 1 ms) and a CPU reservation without extra time (cpu 10 ms, slice, no); a carnage
 * domain with extra time takes every idle cycle, as on a busy machine. For each target a binary
 * search finds the smallest slice, in steps of 50 us (0.5%), at which tcp_send still reaches 98% of
 * what it gets with ample CPU. The paper: linear, about 10% for 10 Mb/s and 5% for 5 Mb/s.
 */
final class Fig7 implements Experiment {
    static final int[] TARGETS_MBPS = {1, 2, 4, 5, 6, 8, 10};
    static final long STEP_US = 50;
    static final int MAX_STEPS = 100; // 5 ms of 10 ms
    static final double SUSTAINED = 0.98;

    @Override
    public String name() {
        return "fig7";
    }

    @Override
    public String summary() {
        return "CPU fraction tcp_send needs for a target throughput: linear, ~10% for 10 Mb/s (paper)";
    }

    static String scenario(String name, int targetMbps, long cpuSliceUs) {
        return Runs.de4x5("Figure 7 of \"Scheduling TCP in the Nemesis Operating System\": tcp_send with the transmit\n"
                        + "reservation of " + targetMbps + " Mb/s and a CPU slice of " + cpuSliceUs
                        + " us per 10 ms, carnage taking the idle time.", name, "4s", "1s", "", false, 5001) + """
                  - name: s1
                    program: tcp_send
                    args: { to: "peer:5001" }
                    cpu: { period: 10ms, slice: SLICEus, extra: false }
                    tx: { period: 1ms, slice: TXus, extra: false }
                  - name: carnage
                    program: carnage
                    cpu: { period: 10ms, slice: 0us, extra: true }
                """.replace("SLICE", Long.toString(cpuSliceUs)).replace("TX", Integer.toString(11 * targetMbps));
    }

    @Override
    public Result run(Path out, PrintStream progress, Receiver receiver) throws Exception {
        Runs runs = new Runs(out, progress, receiver);
        List<Map<String, Object>> points = new ArrayList<>();
        List<double[]> xy = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add("target (Mb/s)   tx-limited (Mb/s)   CPU reserved   CPU used   goodput there (Mb/s)");
        for (int t : TARGETS_MBPS) {
            String base = String.format(Locale.ROOT, "fig7-%02dmbps", t);
            ScenarioRunner.Outcome ample = runs.run(base + "-ample", scenario(base + "-ample", t, STEP_US * MAX_STEPS));
            double reference = Runs.domain(ample, "s1", "goodput_bps");
            int lo = 0; // fails (no CPU at all)
            int hi = MAX_STEPS; // sustains: the reference itself
            ScenarioRunner.Outcome best = ample;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                String name = String.format(Locale.ROOT, "%s-cpu%04dus", base, mid * STEP_US);
                ScenarioRunner.Outcome o = runs.run(name, scenario(name, t, mid * STEP_US));
                if (Runs.domain(o, "s1", "goodput_bps") >= SUSTAINED * reference) {
                    hi = mid;
                    best = o;
                } else {
                    lo = mid;
                }
            }
            double fraction = hi * STEP_US / 10_000.0;
            double used = Runs.domain(best, "s1", "cpu", "share");
            double got = Experiment.mbps(Runs.domain(best, "s1", "goodput_bps"));
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("target_mbps", t);
            p.put("cpu_fraction", fraction);
            p.put("cpu_used", Fig4.round3(used));
            p.put("tx_limited_mbps", Fig4.round3(Experiment.mbps(reference)));
            p.put("goodput_mbps", Fig4.round3(got));
            points.add(p);
            xy.add(new double[] {t, fraction * 100});
            table.add(String.format(Locale.ROOT, "%13d   %17.2f   %11.1f%%   %7.1f%%   %20.2f", t,
                    Experiment.mbps(reference), fraction * 100, used * 100, got));
        }
        double[][] pts = xy.toArray(new double[0][]);
        double[] fit = XyChart.fitLine(pts);
        XyChart.of("Figure 7: fraction of CPU necessary to send a particular amount of data", "target throughput (Mb/s, 2^20 bit/s)",
                        "CPU fraction reserved (%)")
                .annotation("tcp_send tx (1 ms, 11 us x target, no), cpu (10 ms, slice, no); carnage takes the idle time")
                .annotation(String.format(Locale.ROOT,
                        "P200 + de4x5 at 100 Mb/s, Linux receiver, seed 1; smallest slice (50 us steps) sustaining 98%%; fit %.2f %% per Mb/s %+.2f %%",
                        fit[0], fit[1]))
                .series("emulated: smallest sufficient reservation", pts, XyChart.Style.POINTS)
                .line("least squares fit", fit[0], fit[1], XyChart.Style.DASHED_LINE)
                .series("paper (text and Table 1)", new double[][] {{5, 5}, {10, 10}}, XyChart.Style.HOLLOW_POINTS)
                .xRange(0, 11)
                .write(out, "fig7");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("points", points);
        json.put("fit", Runs.ordered("percent_per_mbps", Fig4.round3(fit[0]), "intercept_percent", Fig4.round3(fit[1])));
        json.put("paper", "linear; about 10% of the CPU for 10 Mb/s and 5% for 5 Mb/s");
        table.add(String.format(Locale.ROOT, "linear fit: %.2f%% of the CPU per Mb/s %+.2f%% (paper: ~1%% per Mb/s)",
                fit[0], fit[1]));
        return new Result(json, table, List.of(out.resolve("fig7.svg"), out.resolve("fig7.png"), runs.dir()));
    }
}

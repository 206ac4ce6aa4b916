package nemesis.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nemesis.drivers.pcap.PcapReader;
import nemesis.report.Pcaps;
import nemesis.report.XyChart;
import nemesis.run.ScenarioRunner;

/**
 * Table 1: three tcp_send domains with CPU and transmit reservations, and a carnage domain with
 * extra time that consumes every cycle no one reserved, on the de4x5 at 100 Mb/s. The paper: each
 * sender gets its aim (10.1, 10.1 and 5.1 Mb/s).
 */
final class Table1 implements Experiment {
    record App(String name, int port, double aimMbps, String tx, String cpu, double paperMbps) {
    }

    static final List<App> APPS = List.of(
            new App("s1", 5001, 10, "{ period: 1ms, slice: 110us, extra: false }",
                    "{ period: 10ms, slice: 1ms, extra: false }", 10.1),
            new App("s2", 5002, 10, "{ period: 2ms, slice: 220us, extra: false }",
                    "{ period: 20ms, slice: 2ms, extra: false }", 10.1),
            new App("s3", 5003, 5, "{ period: 2ms, slice: 110us, extra: false }",
                    "{ period: 20ms, slice: 1ms, extra: false }", 5.1));

    @Override
    public String name() {
        return "table1";
    }

    @Override
    public boolean supports(Receiver r) {
        return true; // its receiver is a Linux
    }

    @Override
    public String summary() {
        return "three senders with CPU and transmit reservations beside carnage: 10.1, 10.1, 5.1 Mb/s (paper)";
    }

    static String scenario() {
        StringBuilder y = new StringBuilder(Runs.de4x5(
                "Table 1 of \"Scheduling TCP in the Nemesis Operating System\": three tcp_send domains with CPU and\n"
                        + "transmit reservations, and carnage taking all CPU time that is not reserved, at 100 Mb/s.",
                "table1", "12s", "2s", "", true, APPS.stream().mapToInt(App::port).toArray()));
        for (App a : APPS) {
            y.append("  - name: ").append(a.name).append('\n')
                    .append("    program: tcp_send\n")
                    .append("    args: { to: \"peer:").append(a.port).append("\" }\n")
                    .append("    cpu: ").append(a.cpu).append('\n')
                    .append("    tx: ").append(a.tx).append('\n');
        }
        y.append("""
                  - name: carnage
                    program: carnage
                    cpu: { period: 10ms, slice: 0us, extra: true }
                """);
        return y.toString();
    }

    /** "{ period: 1ms, slice: 110us, extra: false }" as "1ms, 110us, no". */
    static String brief(String qos) {
        return qos.replace("{ ", "").replace(" }", "").replace("period: ", "").replace("slice: ", "")
                .replace("extra: false", "no").replace("extra: true", "yes");
    }

    @Override
    public Result run(Path out, PrintStream progress, Receiver receiver) throws Exception {
        Runs runs = new Runs(out, progress, receiver);
        ScenarioRunner.Outcome o = runs.run("table1", scenario());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add("app   aim    tx (period, slice, extra)   cpu (period, slice, extra)   measured   paper   CPU used");
        PcapReader.Capture cap = PcapReader.read(runs.pcap("table1"));
        XyChart chart = XyChart.of("Table 1: three QoS senders beside carnage, 100 Mb/s", "time (s)",
                        "throughput (Mb/s, 2^20 bit/s)")
                .annotation("P200 + de4x5, " + runs.receiverLabel() + ", seed 1; new payload per 100 ms from the capture; "
                        + "carnage (extra) takes all unreserved CPU");
        for (App a : APPS) {
            double mbps = Experiment.mbps(Runs.domain(o, a.name, "goodput_bps"));
            double cpu = Runs.domain(o, a.name, "cpu", "share");
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("app", a.name);
            r.put("aim_mbps", a.aimMbps);
            r.put("goodput_mbps", Fig4.round3(mbps));
            r.put("paper_mbps", a.paperMbps);
            r.put("cpu_share", Fig4.round3(cpu));
            rows.add(r);
            table.add(String.format(Locale.ROOT, "%-4s %4.0f    %-27s %-28s %8.2f   %5.1f   %7.1f%%", a.name, a.aimMbps,
                    brief(a.tx), brief(a.cpu), mbps, a.paperMbps, cpu * 100));
            Pcaps.Flow f = Pcaps.tcpFlowTo(cap, runs.hostIp(), a.port, 0);
            if (f != null) {
                chart.series(a.name + String.format(Locale.ROOT, " (aim %.0f)", a.aimMbps),
                        Pcaps.throughput(f.segments(), 0, 100_000_000L, 120, Pcaps.MBIT_BINARY), XyChart.Style.STEP);
            }
        }
        double carnage = Runs.domain(o, "carnage", "cpu", "share");
        table.add(String.format(Locale.ROOT, "carnage (extra time only) took %.1f%% of the CPU", carnage * 100));
        chart.xRange(0, 12).write(out, "table1");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rows", rows);
        json.put("carnage_cpu_share", Fig4.round3(carnage));
        return new Result(json, table, List.of(runs.pcap("table1"), out.resolve("table1.svg"),
                out.resolve("table1.png"), runs.dir()));
    }
}

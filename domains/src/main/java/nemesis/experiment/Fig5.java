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

/**
 * Figure 5: three transmitters on the 3c509 at 10 Mb/s. c1 to the SunOS receiver (kay) with tx
 * (200 ms, 3.6 ms, no) from the start; c2 to the NetBSD receiver (garuda) with tx (10 ms, 1.2 ms,
 * yes) from 3 s; c3 to garuda with tx (10 ms, 6 ms, no) from 10 s. The paper: c1 a steady ~0.17;
 * c2 ~7.5 alone (the receiver's acknowledgements limit it), ~3.5 once c3 runs; c3 4.2 rather than
 * its guaranteed 5.6, because garuda's window is often closed; the total does not drop.
 *
 * <p>One simulated host plays both receivers: port 5001 behaves as SunOS, 5002 and 5003 as NetBSD
 * (their TCP and their CPU cost per frame); their frames share the one simulated CPU.
 * Throughput is new payload per second from the capture, in the paper's 2^20 bit/s.
 */
final class Fig5 implements Experiment {
    static final long S = 1_000_000_000L;
    static final int SECONDS = 25;

    @Override
    public String name() {
        return "fig5";
    }

    @Override
    public String summary() {
        return "three transmitters at 10 Mb/s: c1 steady 0.17, c2 7.5 alone then 3.5, c3 4.2 of its 5.6 (paper)";
    }

    static String scenario() {
        return """
                # Figure 5 of "Scheduling TCP in the Nemesis Operating System": three tcp_send domains on the
                # 3c509 at 10 Mb/s; c1 to a SunOS receiver (kay), c2 and c3 to a NetBSD receiver (garuda).
                name: fig5
                seed: 1
                duration: 25s
                warmup: 0s
                machine: p200-3c509
                link: { rate: 10Mbit/s, delay: 20us, pcap: PCAP }
                peer:
                  profile: netbsd
                  services:
                    - { program: tcp_sink, port: 5001, verify: pattern, profile: sunos }
                    - { program: tcp_sink, port: 5002, verify: pattern }
                    - { program: tcp_sink, port: 5003, verify: pattern }
                domains:
                  - name: c1
                    program: tcp_send
                    args: { to: "peer:5001" }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                    tx: { period: 200ms, slice: 3600us, extra: false }
                  - name: c2
                    program: tcp_send
                    args: { to: "peer:5002" }
                    start: 3s
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 10ms, slice: 1200us, extra: true }
                  - name: c3
                    program: tcp_send
                    args: { to: "peer:5003" }
                    start: 10s
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 10ms, slice: 6ms, extra: false }
                """;
    }

    /** Mean of the points with {@code from <= t < to}. */
    static double mean(double[][] pts, double from, double to) {
        double sum = 0;
        int n = 0;
        for (double[] p : pts) {
            if (p[0] >= from && p[0] < to) {
                sum += p[1];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    @Override
    public Result run(Path out, PrintStream progress, Receiver receiver) throws Exception {
        Runs runs = new Runs(out, progress, receiver);
        runs.run("fig5", scenario());
        PcapReader.Capture cap = PcapReader.read(runs.pcap("fig5"));
        Map<String, double[][]> series = new LinkedHashMap<>();
        Map<String, Object> jsonSeries = new LinkedHashMap<>();
        XyChart chart = XyChart.of("Figure 5: three QoS TCP connections on 10 Mb/s Ethernet", "time (s)",
                        "throughput (Mb/s, 2^20 bit/s)")
                .annotation("c1 tx (200 ms, 3.6 ms, no) to SunOS; c2 tx (10 ms, 1.2 ms, yes) to NetBSD from 3 s; "
                        + "c3 tx (10 ms, 6 ms, no) to NetBSD from 10 s")
                .annotation("P200 + 3c509, seed 1; new payload per second from the capture")
                .xRange(0, SECONDS);
        for (int i = 1; i <= 3; i++) {
            Pcaps.Flow f = Pcaps.tcpFlowTo(cap, Runs.HOST_IP, 5000 + i, 0);
            double[][] pts = f == null ? new double[0][]
                    : Pcaps.throughput(f.segments(), 0, S, SECONDS, Pcaps.MBIT_BINARY);
            series.put("c" + i, pts);
            List<List<Double>> l = new ArrayList<>();
            for (double[] p : pts) {
                l.add(List.of(p[0], Math.round(p[1] * 1000) / 1000.0));
            }
            jsonSeries.put("c" + i, l);
            chart.series("c" + i, pts, XyChart.Style.STEP);
        }
        chart.write(out, "fig5");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("series", jsonSeries);
        double c1 = mean(series.get("c1"), 1, SECONDS);
        double c2Alone = mean(series.get("c2"), 4, 10);
        double c2With = mean(series.get("c2"), 11, SECONDS);
        double c3 = mean(series.get("c3"), 11, SECONDS);
        Map<String, Object> means = new LinkedHashMap<>();
        means.put("c1_mbps", Fig4.round3(c1));
        means.put("c2_alone_mbps", Fig4.round3(c2Alone));
        means.put("c2_with_c3_mbps", Fig4.round3(c2With));
        means.put("c3_mbps", Fig4.round3(c3));
        means.put("total_with_c3_mbps", Fig4.round3(c1 + c2With + c3));
        json.put("means", means);
        json.put("paper", Runs.ordered("c1_mbps", 0.17, "c2_alone_mbps", 7.5, "c2_with_c3_mbps", 3.5, "c3_mbps", 4.2));
        List<String> table = new ArrayList<>();
        table.add("connection (phase)          emulated   paper   Mb/s (2^20 bit/s)");
        table.add(String.format(Locale.ROOT, "c1 (1 s ..)                 %8.3f   %5.2f", c1, 0.17));
        table.add(String.format(Locale.ROOT, "c2 alone (4 .. 10 s)        %8.3f   %5.2f", c2Alone, 7.5));
        table.add(String.format(Locale.ROOT, "c2 with c3 (11 .. 25 s)     %8.3f   %5.2f", c2With, 3.5));
        table.add(String.format(Locale.ROOT, "c3 (11 .. 25 s; 5.6 reserved)%7.3f   %5.2f", c3, 4.2));
        return new Result(json, table, List.of(runs.pcap("fig5"), out.resolve("fig5.svg"), out.resolve("fig5.png"),
                runs.dir()));
    }
}

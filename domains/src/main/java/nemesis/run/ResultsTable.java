package nemesis.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import nemesis.atropos.Qos;
import nemesis.atropos.Units;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.scenario.Scenario;

/** The concise terminal summary of a run. */
public final class ResultsTable {
    private ResultsTable() {
    }

    /** Transmit figures: wire time reserved and received, frames, and goodput where a receiver reported it. */
    @SuppressWarnings("unchecked")
    private static void printNetwork(ScenarioRunner.Outcome o, PrintStream out, int w) {
        Map<String, Object> domains = (Map<String, Object>) o.results().get("domains");
        long measured = o.kernel().measuredNs();
        String fmt = "%-" + w + "s  %-16s %8s  %8s %9s %9s  %s%n";
        out.printf(Locale.ROOT, fmt, "domain", "tx slice/period", "reserved", "wire", "frames", "Mbit/s", "goodput");
        for (Domain d : o.kernel().domains()) {
            Map<String, Object> dm = (Map<String, Object>) domains.get(d.name());
            Map<String, Object> tx = (Map<String, Object>) dm.get("tx");
            long frames = ((Number) tx.get("frames")).longValue();
            double goodput = ((Number) dm.get("goodput_bps")).doubleValue();
            if (frames == 0 && goodput == 0) {
                continue;
            }
            Qos q = o.network().txQosOf(d);
            long wire = ((Number) tx.get("guaranteed_ns")).longValue() + ((Number) tx.get("extra_ns")).longValue();
            long bytes = ((Number) tx.get("bytes")).longValue();
            String gp = goodput > 0 ? String.format(Locale.ROOT, "%.3f Mbit/s (%.2f Mb/s as the paper counts)",
                    goodput / 1e6, goodput / (1 << 20)) + (dm.containsKey("verified")
                    ? ((Boolean) dm.get("verified") ? ", verified" : ", CONTENT MISMATCH") : "") : "";
            Map<String, Object> st = (Map<String, Object>) dm.get("stats");
            if (st != null && st.containsKey("all_acked_at_ns") && dm.get("transfer_bps") instanceof Number t) {
                // A transfer that ended before the run: its own rate says more than the window's.
                gp += String.format(Locale.ROOT, "; %d bytes acknowledged in %s: %.3f Mbit/s",
                        ((Number) st.get("bytes_acked")).longValue(),
                        Units.formatNs(((Number) dm.get("transfer_ns")).longValue()), t.doubleValue() / 1e6);
            }
            out.printf(Locale.ROOT, fmt, d.name(), q == null ? "-" : ScenarioRunner.label(q),
                    q == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * q.share()),
                    String.format(Locale.ROOT, "%.2f%%", 100.0 * wire / measured), frames,
                    String.format(Locale.ROOT, "%.3f", bytes * 8e3 / measured), gp);
        }
        Map<String, Object> link = (Map<String, Object>) o.results().get("link");
        out.printf(Locale.ROOT, "link: %s frames, %s bytes, %s dropped, %s corrupted%n", link.get("frames"),
                link.get("bytes"), link.get("dropped"), link.get("corrupted"));
        printPeer((Map<String, Object>) o.results().get("peer"), out);
    }

    /** One line per peer service: what it measured (for iperf and ping, the tools' own reports). */
    @SuppressWarnings("unchecked")
    private static void printPeer(Map<String, Object> peer, PrintStream out) {
        if (peer == null) {
            return;
        }
        int w = peer.keySet().stream().mapToInt(String::length).max().orElse(4);
        for (Map.Entry<String, Object> e : peer.entrySet()) {
            if (e.getKey().equals("host") || !(e.getValue() instanceof Map)) {
                continue;
            }
            String line = summary((Map<String, Object>) e.getValue());
            if (!line.isEmpty()) {
                out.printf(Locale.ROOT, "peer %-" + w + "s  %s%n", e.getKey(), line);
            }
        }
    }

    private static String summary(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        if (m.get("bits_per_second") instanceof Number bps) {
            b.append(String.format(Locale.ROOT, "%d bytes in %s s: %.3f Mbit/s (iperf's report)", num(m, "bytes"),
                    m.get("seconds"), bps.doubleValue() / 1e6));
        } else if (m.containsKey("rtt_avg_ns")) {
            b.append(String.format(Locale.ROOT, "%d/%d replies, rtt min/avg/max %.3f/%.3f/%.3f ms", num(m, "received"),
                    num(m, "sent"), num(m, "rtt_min_ns") / 1e6, num(m, "rtt_avg_ns") / 1e6, num(m, "rtt_max_ns") / 1e6));
        } else if (m.get("goodput_bps") instanceof Number g) {
            b.append(String.format(Locale.ROOT, "%d bytes in the window, %.3f Mbit/s first to last", num(m, "bytes"),
                    g.doubleValue() / 1e6));
            if (num(m, "lost") > 0) {
                b.append(", ").append(num(m, "lost")).append(" datagrams lost");
            }
        } else if (m.containsKey("bytes_written")) {
            b.append(num(m, "bytes_written")).append(" bytes written");
            if (m.containsKey("bytes_acked")) {
                b.append(", ").append(num(m, "bytes_acked")).append(" acknowledged");
            }
        } else if (m.containsKey("echoed")) {
            b.append(num(m, "echoed")).append(" datagrams echoed");
        } else if (m.containsKey("bytes")) {
            b.append(num(m, "bytes")).append(" bytes");
        }
        if (m.get("verified") instanceof Boolean v) {
            b.append(v ? ", verified" : ", CONTENT MISMATCH");
        }
        if (m.get("exit_code") instanceof Number x && x.intValue() != 0) {
            b.append(", exit code ").append(x);
        }
        if (m.get("error") != null) {
            b.append(", ").append(m.get("error"));
        }
        return b.toString();
    }

    private static long num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    public static void print(ScenarioRunner.Outcome o, PrintStream out) {
        Scenario s = o.scenario();
        Kernel k = o.kernel();
        long measured = k.measuredNs();
        out.printf(Locale.ROOT, "%s: %s clock, %s emulated (measured %s after %s warmup), seed %d, machine %s%n",
                s.name(), k.clock().kind(), Units.formatNs(s.durationNs()), Units.formatNs(measured),
                Units.formatNs(s.warmupNs()), s.seed(), s.machine());
        int w = Math.max(6, k.domains().stream().mapToInt(d -> d.name().length()).max().orElse(6));
        int pw = Math.max(7, k.domains().stream().mapToInt(d -> d.programName().length()).max().orElse(7));
        String fmt = "%-" + w + "s  %-" + pw + "s  %-16s %8s  %11s %11s %8s  %s%n";
        out.printf(Locale.ROOT, fmt, "domain", "program", "cpu slice/period", "reserved", "guaranteed", "extra",
                "share", "status");
        for (Domain d : k.domains()) {
            double share = measured > 0 ? (double) (d.measuredGuaranteedNs() + d.measuredExtraNs()) / measured : 0;
            String status = d.status().name().toLowerCase();
            if (d.lateSlices() > 0) {
                status += ", " + d.lateSlices() + " late slices";
            }
            if (d.stats().values().containsKey("missed")) {
                status += ", missed " + d.stats().getLong("missed") + "/" + d.stats().getLong("releases")
                        + " deadlines, worst lateness " + Units.formatNs(d.stats().getLong("max_lateness_ns"));
            }
            out.printf(Locale.ROOT, fmt, d.name(), d.programName(), ScenarioRunner.label(d.qos()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * d.qos().share()),
                    Units.formatNs(d.measuredGuaranteedNs()), Units.formatNs(d.measuredExtraNs()),
                    String.format(Locale.ROOT, "%.2f%%", 100 * share), status);
            if (d.error() != null) {
                out.println("  " + " ".repeat(w) + "  " + d.error());
            }
        }
        if (o.network() != null) {
            printNetwork(o, out, w);
        }
        double speed = o.wallNs() > 0 ? (double) s.durationNs() / o.wallNs() : 0;
        out.printf(Locale.ROOT, "idle %.2f%%, %d scheduler passes; ran in %.3f s wall%s%n",
                100.0 * k.idleNs() / s.durationNs(), k.passes(), o.wallNs() / 1e9,
                k.clock().isVirtual() ? String.format(Locale.ROOT, " (%.0fx real time)", speed) : "");
    }
}

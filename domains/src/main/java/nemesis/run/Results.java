package nemesis.run;

import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.atropos.Qos;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.scenario.DomainSpec;
import nemesis.scenario.Scenario;

/**
 * The results of a run as the JSON contract of {@code architecture.md} describes them, plus more.
 * Nothing here depends on the wall clock: the same scenario and seed give the same bytes.
 */
public final class Results {
    private Results() {
    }

    public static Map<String, Object> of(Scenario s, Kernel k, Network net) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", s.name());
        r.put("clock", k.clock().kind());
        r.put("seed", s.seed());
        r.put("duration_ns", s.durationNs());
        r.put("measured_ns", k.measuredNs());
        r.put("machine", s.machine());
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("admission_cap", s.cpuCapPpb() / 1e9);
        cpu.put("reserved_at_end", k.admittedPpb() / 1e9);
        cpu.put("idle_ns", k.idleNs());
        cpu.put("scheduler_passes", k.passes());
        r.put("cpu", cpu);
        Map<String, Object> domains = new LinkedHashMap<>();
        Map<Integer, Integer> sendersPerPort = sendersPerPeerPort(s);
        for (Domain d : k.domains()) {
            domains.put(d.name(), domain(d, k, net, s, sendersPerPort));
        }
        r.put("domains", domains);
        if (net != null) {
            r.put("link", net.linkFigures());
            r.put("flowman", net.flowmanFigures());
            if (net.peerFigures() != null) {
                r.put("peer", net.peerFigures());
            }
        } else {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("frames", 0L);
            link.put("bytes", 0L);
            link.put("dropped", 0L);
            link.put("corrupted", 0L);
            r.put("link", link);
        }
        return r;
    }

    /** How many domains send to each port of the peer (args {@code to: peer:PORT}). */
    private static Map<Integer, Integer> sendersPerPeerPort(Scenario s) {
        Map<Integer, Integer> m = new java.util.HashMap<>();
        for (DomainSpec ds : s.domains()) {
            int port = peerPort(ds);
            if (port > 0) {
                m.merge(port, 1, Integer::sum);
            }
        }
        return m;
    }

    private static int peerPort(DomainSpec ds) {
        Object to = ds.args() == null ? null : ds.args().asMap().get("to");
        if (to instanceof String t && t.startsWith("peer:")) {
            return Integer.parseInt(t.substring(5));
        }
        return -1;
    }

    private static Map<String, Object> domain(Domain d, Kernel k, Network net, Scenario s,
                                              Map<Integer, Integer> sendersPerPort) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", d.programName());
        m.put("status", d.status().name().toLowerCase());
        if (d.error() != null) {
            m.put("error", d.error());
        }
        if (d.endedNs() >= 0) {
            m.put("ended_ns", d.endedNs());
        }
        Qos q = d.qos();
        Map<String, Object> cpu = new LinkedHashMap<>();
        long measured = k.measuredNs();
        cpu.put("guaranteed_ns", d.measuredGuaranteedNs());
        cpu.put("extra_ns", d.measuredExtraNs());
        cpu.put("share", measured > 0 ? (double) (d.measuredGuaranteedNs() + d.measuredExtraNs()) / measured : 0.0);
        cpu.put("reserved", q.share());
        cpu.put("period_ns", q.periodNs());
        cpu.put("slice_ns", q.sliceNs());
        cpu.put("latency_ns", q.latencyNs());
        cpu.put("extra", q.extra());
        cpu.put("activations", d.activations());
        cpu.put("late_slices", d.lateSlices());
        m.put("cpu", cpu);
        Map<String, Object> tx;
        if (net != null) {
            tx = net.txOf(d);
        } else {
            tx = new LinkedHashMap<>();
            tx.put("guaranteed_ns", 0L);
            tx.put("extra_ns", 0L);
            tx.put("frames", 0L);
            tx.put("bytes", 0L);
        }
        m.put("tx", tx);
        // Goodput: payload delivered to the receiving application in the measured window, per
        // measured second. A receiving program reports what reached it; a sender is credited with
        // what its receiver on the peer got, when it is that receiver's only sender, else (a
        // receiver the emulator does not see) with what the peer acknowledged; goodput_from says which.
        Map<String, Number> st = d.stats().values();
        long delivered = 0;
        Boolean verified = null;
        String goodputFrom = null;
        if (st.containsKey("bytes") && !st.containsKey("bytes_sent")) {
            delivered = st.get("bytes").longValue();
            if (st.containsKey("verified")) {
                verified = st.get("verified").longValue() != 0;
            }
        } else if (net != null) {
            DomainSpec spec = s.domains().stream().filter(x -> x.name().equals(d.name())).findFirst().orElse(null);
            int port = spec == null ? -1 : peerPort(spec);
            Map<String, Object> sink = port > 0 && sendersPerPort.getOrDefault(port, 0) == 1 ? net.peerService(port) : null;
            if (sink != null && sink.get("bytes") instanceof Number b) {
                delivered = b.longValue();
                if (sink.get("verified") instanceof Boolean v) {
                    verified = v;
                } else if (sink.get("verified") instanceof Number v) {
                    verified = v.longValue() != 0;
                }
                goodputFrom = "the peer's " + (sink.get("program") != null ? sink.get("program") : "sink") + " on port " + port;
            } else if (st.containsKey("acked_in_window")) {
                // A receiver the emulator does not measure (iperf, or one of several senders'):
                // what the peer acknowledged.
                delivered = st.get("acked_in_window").longValue();
                goodputFrom = "acknowledgements";
            }
        }
        if (goodputFrom != null) {
            m.put("goodput_from", goodputFrom);
        }
        m.put("goodput_bps", measured > 0 ? delivered * 8e9 / measured : 0.0);
        m.put("bytes_delivered", delivered);
        if (verified != null) {
            m.put("verified", verified);
        }
        if (st.containsKey("connected_at_ns") && st.containsKey("bytes_acked")) {
            // The transfer's own rate, as iperf reports one: acknowledged bytes from the
            // connection's establishment to the last acknowledgement (or the end of the sender).
            long from = st.get("connected_at_ns").longValue();
            long to = st.containsKey("all_acked_at_ns") ? st.get("all_acked_at_ns").longValue()
                    : d.endedNs() >= 0 ? d.endedNs() : s.durationNs();
            if (to > from) {
                m.put("transfer_ns", to - from);
                m.put("transfer_bps", st.get("bytes_acked").longValue() * 8e9 / (to - from));
            }
        }
        if (!d.stats().values().isEmpty()) {
            m.put("stats", new LinkedHashMap<>(d.stats().values()));
        }
        return m;
    }
}

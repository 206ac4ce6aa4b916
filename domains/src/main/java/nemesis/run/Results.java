package nemesis.run;

import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.atropos.Qos;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.scenario.Scenario;

/**
 * The results of a run as the JSON contract of {@code architecture.md} describes them, plus more.
 * Nothing here depends on the wall clock: the same scenario and seed give the same bytes.
 */
public final class Results {
    private Results() {
    }

    public static Map<String, Object> of(Scenario s, Kernel k) {
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
        for (Domain d : k.domains()) {
            domains.put(d.name(), domain(d, k));
        }
        r.put("domains", domains);
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("frames", 0L);
        link.put("bytes", 0L);
        link.put("dropped", 0L);
        link.put("corrupted", 0L);
        r.put("link", link);
        return r;
    }

    private static Map<String, Object> domain(Domain d, Kernel k) {
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
        Map<String, Object> tx = new LinkedHashMap<>();
        tx.put("guaranteed_ns", 0L);
        tx.put("extra_ns", 0L);
        tx.put("frames", 0L);
        tx.put("bytes", 0L);
        m.put("tx", tx);
        m.put("goodput_bps", 0.0);
        m.put("bytes_delivered", 0L);
        if (!d.stats().values().isEmpty()) {
            m.put("stats", new LinkedHashMap<>(d.stats().values()));
        }
        return m;
    }
}

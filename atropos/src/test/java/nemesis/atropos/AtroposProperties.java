package nemesis.atropos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Scheduler guarantees over random admitted sets of CPU-bound domains, on an ideal CPU (no
 * costs): every slice is delivered in every period, extra time goes only to extra domains and is
 * shared equally, slice-0 domains run only on slack, and the CPU never idles while an extra domain
 * could run.
 */
class AtroposProperties {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    record Contract(long periodNs, long permille, boolean extra) {
    }

    @Provide
    Arbitrary<List<Contract>> contracts() {
        Arbitrary<Contract> one = Combinators.combine(
                Arbitraries.longs().between(1 * MS, 100 * MS),
                Arbitraries.longs().between(0, 600),
                Arbitraries.of(true, false)).as(Contract::new);
        return one.list().ofMinSize(1).ofMaxSize(12);
    }

    /** Admits in order, scaling slices down so the set fits under the cap (slice 0 + extra allowed). */
    static IdealCpu admitted(List<Contract> cs, long capPpb) throws AdmissionException {
        IdealCpu cpu = new IdealCpu(Flavour.CPU, capPpb);
        long total = 0;
        for (Contract c : cs) {
            total += c.permille;
        }
        double scale = total * 1_000_000L > capPpb ? (double) capPpb / (total * 1_000_000L) : 1.0;
        int i = 0;
        for (Contract c : cs) {
            long slice = (long) Math.floor(c.periodNs * (c.permille / 1000.0) * scale);
            Qos q = Qos.of(c.periodNs, Math.max(0, slice - 1), c.extra);
            cpu.admit("d" + i++, q);
        }
        return cpu;
    }

    @Property(tries = 300)
    void everySliceIsDeliveredInEveryPeriod(@ForAll("contracts") List<Contract> cs) throws Exception {
        IdealCpu cpu = admitted(cs, Atropos.DEFAULT_CAP_PPB);
        long end = 1_000 * MS;
        cpu.runUntil(end);
        for (Sdom<String> s : cpu.sdoms) {
            long p = s.qos().periodNs();
            long slice = s.qos().sliceNs();
            for (long from = 0; from + p <= end; from += p) {
                long start = from;
                long got = cpu.received(s.id(), start, start + p);
                assertTrue(got >= slice, () -> s + " got " + got + " < slice " + slice + " in period at " + start);
            }
            assertEquals(0, s.lateSlices(), s::toString);
        }
    }

    @Property(tries = 300)
    void extraTimeGoesOnlyToExtraDomainsAndOnlyOnSlack(@ForAll("contracts") List<Contract> cs) throws Exception {
        IdealCpu cpu = admitted(cs, Atropos.DEFAULT_CAP_PPB);
        cpu.runUntil(500 * MS);
        for (IdealCpu.Run r : cpu.runs) {
            Sdom<String> s = cpu.sdoms.get(r.id());
            if (r.extra()) {
                assertTrue(s.qos().extra(), () -> "extra time to a domain without the flag: " + s);
                assertTrue(r.runHeapEmpty(), "extra time while a guaranteed domain could run");
                assertEquals(ActivationReason.EXTRA, r.reason());
            }
            if (s.qos().sliceNs() == 0) {
                assertTrue(r.extra(), () -> "a slice-0 domain ran outside slack: " + r);
            }
        }
    }

    @Property(tries = 300)
    void theCpuNeverIdlesWhileAnExtraDomainCouldRun(@ForAll("contracts") List<Contract> cs) throws Exception {
        IdealCpu cpu = admitted(cs, Atropos.DEFAULT_CAP_PPB);
        long end = 300 * MS;
        cpu.runUntil(end);
        long busy = 0;
        for (IdealCpu.Run r : cpu.runs) {
            busy += r.toNs() - r.fromNs();
        }
        boolean anyExtra = cs.stream().anyMatch(Contract::extra);
        if (anyExtra) {
            assertEquals(end, busy);
        } else {
            long guaranteed = 0;
            for (Sdom<String> s : cpu.sdoms) {
                guaranteed += s.guaranteedTotalNs();
            }
            assertEquals(guaranteed, busy, "without extra domains the CPU does only guaranteed work");
        }
    }

    /**
     * Extra time is shared about equally among CPU-bound extra domains: over 2 s, no extra domain
     * gets less than 80% or more than 120% of the mean (the round robin has a 1 ms quantum).
     */
    @Property(tries = 150)
    void extraTimeIsSharedAboutEqually(@ForAll("contracts") List<Contract> cs,
                                       @ForAll @IntRange(min = 2, max = 5) int extraOnly) throws Exception {
        List<Contract> all = new ArrayList<>(cs);
        for (int i = 0; i < extraOnly; i++) {
            all.add(new Contract(10 * MS, 0, true));
        }
        // Leave real slack: at most 70% reserved.
        IdealCpu cpu = admitted(all, 700_000_000L);
        long end = 2_000 * MS;
        cpu.runUntil(end);
        List<Long> extras = new ArrayList<>();
        for (Sdom<String> s : cpu.sdoms) {
            if (s.qos().extra()) {
                extras.add(cpu.extraOf(s.id()));
            }
        }
        double mean = extras.stream().mapToLong(Long::longValue).average().orElseThrow();
        for (long x : extras) {
            assertTrue(x >= 0.8 * mean && x <= 1.2 * mean,
                    () -> "extra shares " + extras + " (mean " + (long) mean + ")");
        }
    }
}

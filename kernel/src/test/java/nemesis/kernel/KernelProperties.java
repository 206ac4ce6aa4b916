package nemesis.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Atropos;
import nemesis.atropos.Qos;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The guarantees of the issue, on the real kernel (virtual threads, the P200 cost model), for any
 * admitted set of contracts: each CPU-bound domain gets its slice in every one of its periods, up
 * to one kernel charge; extra time only to extra domains, shared about equally; slice-0 domains
 * only on slack; one domain at a time.
 */
class KernelProperties {
    static final long MS = 1_000_000L;

    record Contract(long periodNs, long permille, boolean extra, long startNs) {
    }

    @Provide
    Arbitrary<List<Contract>> contracts() {
        Arbitrary<Contract> one = Combinators.combine(
                Arbitraries.longs().between(1 * MS, 50 * MS),
                Arbitraries.longs().between(0, 500),
                Arbitraries.of(true, false),
                Arbitraries.longs().between(0, 20 * MS)).as(Contract::new);
        return one.list().ofMinSize(1).ofMaxSize(10);
    }

    /** The largest single charge of the cost model: the most a domain can overrun its allocation. */
    static long oneKernelCharge(MachineProfile m) {
        return Math.max(m.activationNs(), Math.max(m.kernelEntryNs() + m.eventSendNs(), m.threadSwitchNs()));
    }

    static List<Domain> start(Kernel k, List<Contract> cs, long capPpb, int extraOnly) {
        long total = cs.stream().mapToLong(Contract::permille).sum();
        double scale = total * 1_000_000L > capPpb ? (double) capPpb / (total * 1_000_000L) : 1.0;
        List<Domain> ds = new ArrayList<>();
        int i = 0;
        for (Contract c : cs) {
            long slice = Math.max(0, (long) Math.floor(c.periodNs * (c.permille / 1000.0) * scale) - 1);
            ds.add(k.createDomain("d" + i++, "carnage", Qos.of(c.periodNs, slice, c.extra),
                    ctx -> { while (true) { ctx.consume(37_000); } }, c.startNs));
        }
        for (int j = 0; j < extraOnly; j++) {
            ds.add(k.createDomain("x" + j, "carnage", Qos.extraOnly(10 * MS),
                    ctx -> { while (true) { ctx.consume(37_000); } }, 0));
        }
        return ds;
    }

    @Property(tries = 60)
    void guaranteesHoldForAnyAdmittedSet(@ForAll("contracts") List<Contract> cs) {
        MachineProfile m = MachineProfile.load("p200-de4x5");
        Kernel k = new Kernel(new VirtualClock(), m, Atropos.DEFAULT_CAP_PPB, 7);
        List<Domain> ds = start(k, cs, Atropos.DEFAULT_CAP_PPB, 0);
        k.run(400 * MS, 0);
        List<String> bad = new ArrayList<>();
        for (Domain d : ds) {
            assertEquals(Domain.Status.RUNNING, d.status(), d::error);
            bad.addAll(TraceChecks.shortPeriods(k.trace(), d, oneKernelCharge(m)));
        }
        bad.addAll(TraceChecks.extraToNonExtra(k.trace(), k.domains()));
        bad.addAll(TraceChecks.overlaps(k.trace()));
        assertTrue(bad.isEmpty(), () -> String.join("\n", bad.subList(0, Math.min(10, bad.size()))));
    }

    @Property(tries = 40)
    void extraTimeIsSharedAboutEquallyAndSliceZeroRunsOnlyOnSlack(@ForAll("contracts") List<Contract> cs) {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"), Atropos.DEFAULT_CAP_PPB, 7);
        List<Domain> ds = start(k, cs, 700_000_000L, 3);
        k.run(2_000 * MS, 100 * MS);
        List<String> bad = new ArrayList<>(TraceChecks.sliceZeroOutsideSlack(k.trace(), k.domains()));
        assertTrue(bad.isEmpty(), () -> String.join("\n", bad.subList(0, Math.min(10, bad.size()))));
        List<Long> extras = new ArrayList<>();
        for (Domain d : ds) {
            if (d.qos().extra()) {
                extras.add(d.measuredExtraNs());
            }
        }
        double mean = extras.stream().mapToLong(Long::longValue).average().orElseThrow();
        for (long x : extras) {
            assertTrue(x >= 0.8 * mean && x <= 1.2 * mean, () -> "extra shares " + extras);
        }
    }

    @Property(tries = 20)
    void sameInputsGiveTheSameSchedule(@ForAll("contracts") List<Contract> cs) {
        String a = KernelTest.traceCsv(run(cs));
        String b = KernelTest.traceCsv(run(cs));
        assertEquals(a, b);
    }

    private static Kernel run(List<Contract> cs) {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"), Atropos.DEFAULT_CAP_PPB, 3);
        start(k, cs, Atropos.DEFAULT_CAP_PPB, 2);
        k.run(200 * MS, 0);
        return k;
    }
}

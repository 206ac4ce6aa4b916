package nemesis.kernel;

import nemesis.atropos.Qos;
import org.junit.jupiter.api.Test;

class SmokeTest {
    static final long MS = 1_000_000L;

    @Test
    void twoCarnage() {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("ideal"));
        Program carnage = ctx -> { while (true) ctx.consume(100_000); };
        Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 3 * MS, false), carnage, 0);
        Domain b = k.createDomain("b", "carnage", Qos.of(20 * MS, 4 * MS, true), carnage, 0);
        long t0 = System.nanoTime();
        k.run(60_000 * MS, 0);
        long wall = System.nanoTime() - t0;
        System.out.printf("a g=%d x=%d  b g=%d x=%d idle=%d passes=%d trace=%d wall=%.1fms%n",
                a.cpuGuaranteedNs(), a.cpuExtraNs(), b.cpuGuaranteedNs(), b.cpuExtraNs(), k.idleNs(), k.passes(),
                k.trace().size(), wall / 1e6);
    }
}

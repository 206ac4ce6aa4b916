package nemesis.bench;

import java.util.concurrent.TimeUnit;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Atropos;
import nemesis.atropos.Flavour;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one Atropos scheduling decision ({@link Atropos#schedule}) at 10, 1,000 and 10,000
 * domains. One op = one decision.
 *
 * <p>The loop plays the kernel on an emulated clock: sleep until the scheduler's next timer, charge
 * the time to whoever ran, ask again. So each decision does what it would in steady state (a slice
 * ends and its domain moves to the wait heap, a deadline passes and one is refilled, extra time
 * rotates), at the mix of those events the reservations produce; the clock only advances and the
 * heaps keep their size, so there is no drift between iterations and nothing is allocated.
 *
 * <ul>
 *   <li>{@code cpuBound}: every domain always wants the CPU (never blocks).</li>
 *   <li>{@code blocking}: as above, but every tenth domain blocks each time it is descheduled and
 *       is woken by its timeout a quarter to two periods later, so the blocked heap and both the
 *       short (keeps its slice) and long (new period) unblock paths run.</li>
 *   <li>{@code baselineHeap}: poll + offer(deadline + period) on a bare binary heap of n
 *       primitive longs, the irreducible EDF step at the same n. It is a primitive heap rather than
 *       {@code PriorityQueue<Long>} so that it allocates nothing either and the ratio shows the
 *       scheduler's own work (several heaps, accounting, extra ring) rather than boxing.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AtroposDecisionBench {

    /** Longest the emulated kernel sleeps when the scheduler has no timer (idle, nothing due). */
    static final long IDLE_CAP_NS = 1_000_000L;

    /** Period of domain i: 1 ms to 10.9 ms in 100 us steps, spread by a prime so neighbours differ. */
    static long periodNs(int i) {
        return 1_000_000L + (i * 7919L % 100) * 100_000L;
    }

    /** Slices add up to ~90% of the CPU whatever n is; the other 10% goes to extra time. */
    static long sliceNs(int i, int n) {
        return Math.max(1, periodNs(i) * 9 / (10L * n));
    }

    /** A third of the domains (i % 3 == 0) also take extra time. */
    static boolean extra(int i) {
        return i % 3 == 0;
    }

    static Atropos<Object> admitAll(int n) {
        Atropos<Object> a = new Atropos<>(Flavour.CPU, Qos.PPB);
        try {
            for (int i = 0; i < n; i++) {
                a.admit(i, Qos.of(periodNs(i), sliceNs(i, n), extra(i)), 0);
            }
        } catch (AdmissionException e) {
            throw new IllegalStateException(e);
        }
        return a;
    }

    @State(Scope.Thread)
    public static class CpuBound {
        @Param({"10", "1000", "10000"})
        public int n;

        Atropos<Object> atropos;
        long now;
        long decisions;

        @Setup(Level.Trial)
        public void setUp() {
            atropos = admitAll(n);
            now = 0;
            decisions = 0;
            atropos.schedule(now, 0, false, Atropos.NEVER);
        }

        Sdom<Object> step() {
            long end = Math.min(atropos.nextTimerNs(), now + IDLE_CAP_NS);
            long ran = end - now;
            now = end;
            decisions++;
            return atropos.schedule(now, ran, false, Atropos.NEVER);
        }

        @TearDown(Level.Trial)
        public void check() {
            checkSteady(atropos, n, now, decisions);
        }
    }

    @State(Scope.Thread)
    public static class Blocking {
        @Param({"10", "1000", "10000"})
        public int n;

        Atropos<Object> atropos;
        /** Indexed by sdom id (= admission order): whether the domain blocks when descheduled. */
        boolean[] blocker;
        long now;
        long decisions;
        int blocks;

        @Setup(Level.Trial)
        public void setUp() {
            atropos = admitAll(n);
            blocker = new boolean[n];
            // Offset 5 so that n = 10 has a blocker (id 5) that is not also an extra holder.
            for (int i = 5 % n; i < n; i += 10) {
                blocker[i] = true;
            }
            now = 0;
            decisions = 0;
            blocks = 0;
            atropos.schedule(now, 0, false, Atropos.NEVER);
        }

        Sdom<Object> step() {
            long end = Math.min(atropos.nextTimerNs(), now + IDLE_CAP_NS);
            long ran = end - now;
            now = end;
            decisions++;
            Sdom<Object> cur = atropos.current();
            if (cur != null && blocker[cur.id()]) {
                // Sleep 1/4, 1/2, 1 or 2 periods in turn: wakes before the deadline (short
                // unblock, keeps its slice) as well as after it (long unblock, new period).
                long sleep = (periodNs(cur.id()) << (blocks++ & 3)) >> 2;
                return atropos.schedule(now, ran, true, now + sleep);
            }
            return atropos.schedule(now, ran, false, Atropos.NEVER);
        }

        @TearDown(Level.Trial)
        public void check() {
            checkSteady(atropos, n, now, decisions);
            if (blocks == 0) {
                throw new IllegalStateException("blocking variant never blocked at n=" + n);
            }
        }
    }

    /** Fails the run if the emulation stalled or lost domains, which would make the numbers meaningless. */
    static void checkSteady(Atropos<Object> a, int n, long now, long decisions) {
        int held = a.runnableCount() + a.waitingCount() + a.blockedCount();
        if (held != n || (decisions > 0 && now <= 0)) {
            throw new IllegalStateException("not steady at n=" + n + ": " + held + " sdoms queued, clock " + now
                    + " ns after " + decisions + " decisions");
        }
    }

    @State(Scope.Thread)
    public static class Baseline {
        @Param({"10", "1000", "10000"})
        public int n;

        /** Low bits of a heap entry: the domain index (n < 2^14), which also breaks ties as Atropos does. */
        static final int ID_BITS = 14;
        static final long ID_MASK = (1L << ID_BITS) - 1;

        long[] heap;
        long[] period;
        int size;

        @Setup(Level.Trial)
        public void setUp() {
            if (n > ID_MASK + 1) {
                throw new IllegalArgumentException("baseline packs ids in " + ID_BITS + " bits: n=" + n);
            }
            heap = new long[n];
            period = new long[n];
            size = 0;
            for (int i = 0; i < n; i++) {
                period[i] = periodNs(i);
                offer((period[i] << ID_BITS) | i);
            }
        }

        long step() {
            long e = poll();
            int i = (int) (e & ID_MASK);
            long deadline = (e >>> ID_BITS) + period[i];
            // Deadlines reach 2^49 ns (6.5 emulated days) only after ~10^14 ops: no overflow in a run.
            offer((deadline << ID_BITS) | i);
            return e;
        }

        void offer(long key) {
            int k = size++;
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                long p = heap[parent];
                if (key >= p) {
                    break;
                }
                heap[k] = p;
                k = parent;
            }
            heap[k] = key;
        }

        long poll() {
            long head = heap[0];
            long key = heap[--size];
            int half = size >>> 1;
            int k = 0;
            while (k < half) {
                int child = 2 * k + 1;
                long c = heap[child];
                int right = child + 1;
                if (right < size && heap[right] < c) {
                    c = heap[child = right];
                }
                if (key <= c) {
                    break;
                }
                heap[k] = c;
                k = child;
            }
            heap[k] = key;
            return head;
        }
    }

    @Benchmark
    public Sdom<Object> cpuBound(CpuBound s) {
        return s.step();
    }

    @Benchmark
    public Sdom<Object> blocking(Blocking s) {
        return s.step();
    }

    @Benchmark
    public long baselineHeap(Baseline s) {
        return s.step();
    }
}

package nemesis.bench;

import java.util.concurrent.TimeUnit;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Atropos;
import nemesis.atropos.Flavour;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;
import nemesis.drivers.TransmitScheduler;
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
 * The cost of one transmit scheduling decision ({@link TransmitScheduler#next}) at 10, 100 and
 * 1,000 channels. One op = one decision.
 *
 * <p>The loop plays the driver's TX thread on a card with one descriptor: every channel is
 * backlogged (never idle), each decision charges the frame just sent — 1514 bytes at 100 Mb/s,
 * {@value #FRAME_NS} ns of wire time — and the clock advances by that much. Reservations add up
 * to ~90% of the wire and a third of the channels take extra time, so the decisions mix slices,
 * refills (debt carried over: at 1,000 channels a slice is shorter than a frame) and extra-time
 * round-robin, as a loaded driver sees them. Nothing is allocated per decision.
 *
 * <p>Expect more than log n growth: each decision advances the clock by a frame, so the refills it
 * performs (each O(log n)) grow with n — about 0.03, 0.3 and 3 per decision at 10, 100 and 1,000
 * channels with these periods. That is the work the TX thread really does per frame.
 *
 * <ul>
 *   <li>{@code transmit}: {@link TransmitScheduler} (the transmit flavour of Atropos).</li>
 *   <li>{@code atroposCpu}: the bare Atropos core, CPU flavour, same reservations and the same
 *       drive: what the transmit wrapper and flavour add (or save) over the CPU decision.</li>
 *   <li>{@code roundRobin}: the floor, a cursor over an array of channels charging each its frame.
 *       Any scheduler picks and charges; the ratio is what reservations (EDF heaps, refills, the
 *       extra ring) cost on top.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TransmitSchedulerBench {

    /** Wire time of a 1514-byte frame at 100 Mb/s (80 ns a byte), charged as Nemesis does. */
    static final long FRAME_NS = 1514 * 80L;
    static final long MS = 1_000_000L;

    /** Period of channel i: 10 ms to 109 ms in 1 ms steps (the paper uses 50 ms), spread by a prime. */
    static long periodNs(int i) {
        return 10 * MS + (i * 7919L % 100) * MS;
    }

    /** Slices add up to ~90% of the wire whatever n is; the other 10% goes to extra time. */
    static long sliceNs(int i, int n) {
        return Math.max(1, periodNs(i) * 9 / (10L * n));
    }

    /** A third of the channels (i % 3 == 0) also take extra time. */
    static boolean extra(int i) {
        return i % 3 == 0;
    }

    /** The TX thread's loop state shared by both Atropos variants: the clock and the last charge. */
    @State(Scope.Thread) // JMH wants @Param fields in a @State class, even an abstract one
    public abstract static class Driven {
        @Param({"10", "100", "1000"})
        public int n;

        long now;
        long charge;
        long decisions;
        long nulls;

        /** A null decision means nothing may send: wait for the next timer, charging nothing. */
        void advance(Object chosen, long nextTimerNs) {
            decisions++;
            if (chosen == null) {
                nulls++;
                now = nextTimerNs;
                charge = 0;
            } else {
                charge = FRAME_NS;
                now += FRAME_NS;
            }
        }

        /** Extra channels are always backlogged, so the wire never idles: a null means the loop is wrong. */
        void checkSteady(int held) {
            if (held != n || nulls > decisions / 1000 || now <= 0) {
                throw new IllegalStateException("not steady at n=" + n + ": " + held + " channels queued, " + nulls
                        + " idle decisions of " + decisions);
            }
        }
    }

    @State(Scope.Thread)
    public static class Tx extends Driven {
        TransmitScheduler<Object> tx;

        @Setup(Level.Trial)
        public void setUp() throws AdmissionException {
            tx = new TransmitScheduler<>(Qos.PPB);
            for (int i = 0; i < n; i++) {
                Sdom<Object> s = tx.bind(i, Qos.of(periodNs(i), sliceNs(i, n), extra(i)), 0);
                tx.notify(s); // backlogged from the start
            }
            now = 0;
            charge = 0;
            decisions = 0;
            nulls = 0;
        }

        Sdom<Object> step() {
            Sdom<Object> s = tx.next(now, charge, false);
            advance(s, s == null ? tx.nextTimerNs() : 0);
            return s;
        }

        @TearDown(Level.Trial)
        public void check() {
            checkSteady(n); // the wrapper does not expose its queues: checks the clock and idle decisions
            if (tx.admittedPpb() > Qos.PPB * 91 / 100) {
                throw new IllegalStateException("reservations add up to " + tx.admittedPpb() + " ppb");
            }
        }
    }

    @State(Scope.Thread)
    public static class Cpu extends Driven {
        Atropos<Object> atropos;

        @Setup(Level.Trial)
        public void setUp() throws AdmissionException {
            atropos = new Atropos<>(Flavour.CPU, Qos.PPB);
            for (int i = 0; i < n; i++) {
                atropos.admit(i, Qos.of(periodNs(i), sliceNs(i, n), extra(i)), 0);
            }
            now = 0;
            charge = 0;
            decisions = 0;
            nulls = 0;
        }

        Sdom<Object> step() {
            Sdom<Object> s = atropos.schedule(now, charge, false, Atropos.NEVER);
            advance(s, s == null ? atropos.nextTimerNs() : 0);
            return s;
        }

        @TearDown(Level.Trial)
        public void check() {
            checkSteady(atropos.runnableCount() + atropos.waitingCount() + atropos.blockedCount());
        }
    }

    @State(Scope.Thread)
    public static class RoundRobin {
        @Param({"10", "100", "1000"})
        public int n;

        Object[] channels;
        long[] sentNs;
        int cursor;
        long now;

        @Setup(Level.Trial)
        public void setUp() {
            channels = new Object[n];
            sentNs = new long[n];
            for (int i = 0; i < n; i++) {
                channels[i] = i;
            }
            cursor = 0;
            now = 0;
        }

        Object step() {
            sentNs[cursor] += FRAME_NS;
            now += FRAME_NS;
            cursor = cursor + 1 == n ? 0 : cursor + 1;
            return channels[cursor];
        }
    }

    @Benchmark
    public Sdom<Object> transmit(Tx s) {
        return s.step();
    }

    @Benchmark
    public Sdom<Object> atroposCpu(Cpu s) {
        return s.step();
    }

    @Benchmark
    public Object roundRobin(RoundRobin s) {
        return s.step();
    }
}

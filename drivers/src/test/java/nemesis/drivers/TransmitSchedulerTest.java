package nemesis.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;
import org.junit.jupiter.api.Test;

/** The transmit scheduler on its own: frames of fixed wire time, channels with endless backlogs. */
class TransmitSchedulerTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    /** An MTU packet (1500 bytes of IP) at 10 Mb/s, as charged: 1.2 ms. */
    static final long FRAME_10M = 1500 * 800L;

    @Test
    void aFreshChannelSendsAtItsFirstNotify() throws Exception {
        TransmitScheduler<String> t = new TransmitScheduler<>(1_000_000_000L);
        Sdom<String> c = t.bind("c", Qos.of(50 * MS, 2_400 * US, false), 0);
        assertNull(t.next(0, 0, false), "idle until notified");
        t.notify(c);
        assertSame(c, t.next(7 * MS, 0, false));
        assertEquals(57 * MS, c.deadlineNs());
    }

    /** Figure 4: (50 ms, 2.4 ms, no extra) at 10 Mb/s sends exactly two frames per period. */
    @Test
    void twoFramesPerPeriodForTwoPointFourMilliseconds() throws Exception {
        assertEquals(java.util.Collections.nCopies(200, 2), framesPerPeriod(2_400 * US, 200));
    }

    /** The paper's footnote: with 3 ms ("2.5 frames") periods alternate two and three frames. */
    @Test
    void twoOrThreeFramesForThreeMilliseconds() throws Exception {
        List<Integer> f = framesPerPeriod(3 * MS, 20);
        assertEquals(List.of(3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2), f);
    }

    /** Runs one always-backlogged channel of period 50 ms; counts frames handed out per period. */
    private static List<Integer> framesPerPeriod(long sliceNs, int periods) throws Exception {
        TransmitScheduler<String> t = new TransmitScheduler<>(1_000_000_000L);
        Sdom<String> c = t.bind("c", Qos.of(50 * MS, sliceNs, false), 0);
        t.notify(c);
        int[] count = new int[periods];
        long now = 0;
        long charge = 0;
        while (now < periods * 50 * MS) {
            Sdom<String> s = t.next(now, charge, false);
            if (s == null) {
                now = t.nextTimerNs();
                charge = 0;
                continue;
            }
            count[(int) (now / (50 * MS))]++;
            charge = FRAME_10M;
            now += FRAME_10M; // a card with one descriptor: the next decision when the frame is out
        }
        List<Integer> out = new ArrayList<>();
        for (int n : count) {
            out.add(n);
        }
        return out;
    }

    @Test
    void unreservedTimeIsSharedAmongExtraChannels() throws Exception {
        TransmitScheduler<String> t = new TransmitScheduler<>(1_000_000_000L);
        Sdom<String> fixed = t.bind("fixed", Qos.of(10 * MS, 2 * MS, false), 0);
        Sdom<String> x1 = t.bind("x1", Qos.of(10 * MS, 1 * MS, true), 0);
        Sdom<String> x2 = t.bind("x2", Qos.of(10 * MS, 0, true), 0);
        t.notify(fixed);
        t.notify(x1);
        t.notify(x2);
        long now = 0;
        long charge = 0;
        while (now < 10_000 * MS) {
            Sdom<String> s = t.next(now, charge, false);
            if (s == null) {
                now = t.nextTimerNs();
                charge = 0;
                continue;
            }
            charge = 120 * US;
            now += 120 * US;
        }
        double total = 10_000 * MS;
        assertEquals(0.20, (fixed.guaranteedTotalNs() + fixed.acExtraNs()) / total, 0.002);
        assertEquals(0, fixed.acExtraNs());
        // 70% unreserved, shared by x1 and x2: x1 = 10% + 35%, x2 = 35%
        assertEquals(0.45, (x1.guaranteedTotalNs() + x1.acExtraNs()) / total, 0.01);
        assertEquals(0.35, (x2.guaranteedTotalNs() + x2.acExtraNs()) / total, 0.01);
    }

    @Test
    void anIdleReservedChannelCostsTheOthersNothing() throws Exception {
        TransmitScheduler<String> t = new TransmitScheduler<>(1_000_000_000L);
        t.bind("idle", Qos.of(10 * MS, 8 * MS, false), 0);
        Sdom<String> x = t.bind("x", Qos.of(10 * MS, 1 * MS, true), 0);
        t.notify(x);
        long now = 0;
        long charge = 0;
        while (now < 1_000 * MS) {
            Sdom<String> s = t.next(now, charge, false);
            if (s == null) {
                now = t.nextTimerNs();
                charge = 0;
                continue;
            }
            charge = 120 * US;
            now += 120 * US;
        }
        assertEquals(1.0, (x.guaranteedTotalNs() + x.acExtraNs()) / (1_000.0 * MS), 0.001);
    }
}

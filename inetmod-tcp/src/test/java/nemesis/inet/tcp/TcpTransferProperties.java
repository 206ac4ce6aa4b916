package nemesis.inet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Byte-exact transfers in both directions at once over a wire that loses 5%, duplicates 2%,
 * reorders 5% and corrupts 1% of segments (each direction, independently; corrupted segments fail
 * the receiver's checksum check and count as lost), 100 Mb/s, 1 ms propagation, a 64-frame queue.
 *
 * <p>The bound: each run must finish (both streams delivered, both FINs acknowledged) within
 * {@link #BOUND_NS} = 300 s of emulated time. Why that: 1 MB is about 725 segments; 6% of data
 * segments and 6% of ACKs are lost, and a loss the ACK clock cannot repair costs an RTO — 0.5–1 s
 * on the 500 ms tick, then 2, 4, 8... s while retransmissions are lost too. Measured over 1500
 * seeds per configuration (sizes up to 1 MiB each way): modern median 5.5 s, p99 22 s, max 34 s;
 * bsd44 (no SACK, IW 1, 8 KiB windows) median 15.8 s, p99 47 s, p99.9 135 s, max 142 s, its
 * tail being backoff chains. 300 s is twice the worst case ever seen, and still far below what a
 * stalled connection shows (it never finishes; 12 backoffs alone take 9 minutes).
 */
class TcpTransferProperties {
    static final long BOUND_NS = 300 * Net.S;
    static final Net.Faults FAULTS = new Net.Faults(0.05, 0.02, 0.05, 0.01);
    static long corruptedCaught;
    static long worstNs;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void transfer(TcpConfig ca, TcpConfig cb, long seed, int na, int nb) {
        byte[] ab = random(na, seed);
        byte[] ba = random(nb, ~seed);
        Net n = new Net(ca, cb, FAULTS, seed, 100_000_000L, 1 * Net.MS, 64);
        long t = n.transfer(ab, ba, BOUND_NS);
        assertTrue(t > 0, () -> "not done in 300 s: " + n.a.conn + " / " + n.b.conn + "\n" + n.a.conn.counters()
                + "\n" + n.b.conn.counters());
        assertArrayEquals(ab, n.b.rcv.bytes(), "a → b");
        assertArrayEquals(ba, n.a.rcv.bytes(), "b → a");
        worstNs = Math.max(worstNs, t);
        for (Net.End e : new Net.End[] {n.a, n.b}) {
            TcpCounters c = e.conn.counters();
            assertEquals(c.get(TcpCounters.Event.SEGS_RECEIVED),
                    c.get(TcpCounters.Event.SEGS_PROCESSED) + c.drops().total());
        }
        n.drain(t + 200 * Net.S);
        assertEquals(n.corrupted, n.corruptedCaught, "every corrupted segment failed the checksum");
        corruptedCaught += n.corruptedCaught;
        assertEquals(TcpState.CLOSED, n.a.conn.state(), n.a.log::toString);
        assertEquals(TcpState.CLOSED, n.b.conn.state(), n.b.log::toString);
    }

    /** Sizes spread evenly up to 1 MiB (jqwik's default would favour small ones). */
    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(0, 1 << 20).withDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 60)
    void modernBothWaysUnderFaults(@ForAll long seed, @ForAll("sizes") int na,
                                   @ForAll("sizes") int nb) {
        transfer(TcpConfig.modern(), TcpConfig.modern(), seed, na, nb);
    }

    @Property(tries = 60)
    void bsd44BothWaysUnderFaults(@ForAll long seed, @ForAll("sizes") int na,
                                  @ForAll("sizes") int nb) {
        transfer(TcpConfig.bsd44(), TcpConfig.bsd44(), seed, na, nb);
    }

    @Property(tries = 40)
    void aModernEndTalksToABsdEnd(@ForAll long seed, @ForAll("sizes") int na,
                                  @ForAll("sizes") int nb) {
        transfer(TcpConfig.modern(), TcpConfig.bsd44(), seed, na, nb);
    }

    /**
     * Any mix of options, buffer sizes (2 KiB to 1 MiB, so windows close), MSS, Nagle and delayed
     * ACK settings, with or without faults, with slow readers: still byte-exact.
     */
    @Property(tries = 150)
    void anyConfigurationAndSlowReaders(@ForAll long seed) {
        Random r = new Random(seed);
        TcpConfig ca = randomConfig(r);
        TcpConfig cb = randomConfig(r);
        byte[] ab = random(r.nextInt(300_000), seed);
        byte[] ba = random(r.nextInt(300_000), ~seed);
        Net n = new Net(ca, cb, r.nextBoolean() ? FAULTS : Net.Faults.NONE, seed, 10_000_000L, 2 * Net.MS, 32);
        if (r.nextInt(3) == 0) {
            n.b.slowReader(100 + r.nextInt(3000), (1 + r.nextInt(50)) * Net.MS);
        }
        if (r.nextInt(3) == 0) {
            n.a.slowReader(100 + r.nextInt(3000), (1 + r.nextInt(50)) * Net.MS);
        }
        long t = n.transfer(ab, ba, 3600 * Net.S);
        assertTrue(t > 0, () -> "not done: " + n.a.conn + " / " + n.b.conn + "\n" + ca + "\n" + cb);
        assertArrayEquals(ab, n.b.rcv.bytes());
        assertArrayEquals(ba, n.a.rcv.bytes());
    }

    static TcpConfig randomConfig(Random r) {
        TcpConfig.Builder b = (r.nextBoolean() ? TcpConfig.modern() : TcpConfig.bsd44()).toBuilder();
        b.windowScaling(r.nextBoolean()).timestamps(r.nextBoolean()).sack(r.nextBoolean()).nagle(r.nextBoolean())
                .delayedAck(r.nextBoolean()).initialWindow(r.nextInt(5));
        int[] bufs = {2048, 4096, 8192, 16384, 65535, 200_000, 1 << 20};
        b.receiveBuffer(bufs[r.nextInt(bufs.length)]);
        int[] mss = {536, 1000, 1460};
        b.mss(mss[r.nextInt(mss.length)]);
        return b.build();
    }

    @AfterContainer
    static void report() {
        System.out.println("lossy transfers: worst " + worstNs / 1e9 + " s emulated, " + corruptedCaught
                + " corrupted segments caught by the checksum");
    }
}

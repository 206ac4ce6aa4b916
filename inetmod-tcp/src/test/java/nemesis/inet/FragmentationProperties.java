package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;

/**
 * Fragment, then reassemble: random sizes and MTUs, fragments in random order with random
 * duplicates and overlapping re-fragmentations. The datagram comes back byte for byte exactly
 * once, at exactly the fragment that completes it; a missing fragment makes it time out at
 * exactly the timeout; and every buffer goes back to the pool.
 */
class FragmentationProperties {
    static final long S = 1_000_000_000L;
    static final long T0 = 1_000 * S;

    final FixedBufferPool pool = new FixedBufferPool(4, Ipv4Reassembler.bufferCapacityFor(65535));

    /** The data range a fragment covers, from its header. */
    record Piece(MemorySegment seg, int from, int to, boolean last) {
        static Piece of(MemorySegment seg) {
            Ipv4Packet ip = Datagrams.wrap(seg);
            return new Piece(seg, ip.fragmentOffset(), ip.fragmentOffset() + ip.payloadLength(), !ip.moreFragments());
        }
    }

    static int cap(boolean options, int payload) {
        return Math.min(payload, 65535 - (options ? 36 : 20));
    }

    /** Checks what RFC 791 demands of each fragment of {@code d}. */
    static void assertWellFormed(MemorySegment d, List<MemorySegment> frags, int mtu) {
        Ipv4Packet orig = Datagrams.wrap(d);
        int hl = orig.headerLength();
        int expectedOffset = 0;
        for (int i = 0; i < frags.size(); i++) {
            Ipv4Packet ip = Datagrams.wrap(frags.get(i));
            assertEquals(Ipv4Packet.Check.OK, ip.validate());
            assertTrue(ip.totalLength() <= mtu);
            assertEquals(expectedOffset, ip.fragmentOffset());
            boolean last = i == frags.size() - 1;
            assertEquals(!last, ip.moreFragments());
            if (!last) {
                assertEquals(0, ip.payloadLength() % 8);
            }
            assertEquals(i == 0 ? hl : (hl == 20 ? 20 : 28), ip.headerLength());
            assertEquals(orig.identification(), ip.identification());
            assertTrue(MemorySegment.mismatch(d, hl + expectedOffset, hl + expectedOffset + ip.payloadLength(),
                    frags.get(i), ip.headerLength(), ip.totalLength()) < 0);
            expectedOffset += ip.payloadLength();
        }
        assertEquals(orig.payloadLength(), expectedOffset);
    }

    /** Uniform over 0..65515 (jqwik's default leans towards small numbers), plus the edges. */
    @Provide
    Arbitrary<Integer> payloads() {
        return Arbitraries.integers().between(0, 65515).withDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<Integer> mtus() {
        return Arbitraries.integers().between(68, 9000).withDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 150)
    void reassemblyRebuildsTheDatagramExactlyOnce(@ForAll("payloads") int payloadChoice, @ForAll("mtus") int mtu,
                                                  @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean options = rnd.nextInt(3) == 0;
        int payload = cap(options, payloadChoice);
        Ipv4Reassembler reasm = new Ipv4Reassembler(pool);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = Datagrams.datagram(arena, options, payload, rnd.nextInt(65536), rnd);
            int total = (int) d.byteSize();
            List<MemorySegment> base = Datagrams.fragment(arena, d, mtu);
            if (total <= mtu) {
                assertEquals(1, base.size());
                assertEquals(Ipv4Reassembler.Outcome.NOT_FRAGMENT, reasm.offer(Datagrams.wrap(base.get(0)), T0));
                assertTrue(MemorySegment.mismatch(d, 0, total, base.get(0), 0, total) < 0);
                return;
            }
            assertWellFormed(d, base, mtu);

            List<MemorySegment> delivery = new ArrayList<>(base);
            for (MemorySegment f : base) {
                if (rnd.nextInt(5) == 0) {
                    delivery.add(f);                                       // a duplicate
                }
                int len = (int) f.byteSize();
                if (rnd.nextInt(4) == 0 && len > 68) {                    // a router on another path re-fragments it
                    for (MemorySegment p : Datagrams.fragment(arena, f, 68 + rnd.nextInt(len - 68))) {
                        if (rnd.nextBoolean()) {
                            delivery.add(p);
                        }
                    }
                }
            }
            int mtu2 = 68 + rnd.nextInt(9000 - 68 + 1);
            if (mtu2 < total && rnd.nextBoolean()) {                       // another fragmentation altogether
                for (MemorySegment p : Datagrams.fragment(arena, d, mtu2)) {
                    if (rnd.nextInt(3) == 0) {
                        delivery.add(p);
                    }
                }
            }
            Collections.shuffle(delivery, new Random(rnd.nextLong()));
            Statistics.label("fragments delivered").collect(delivery.size() < 10 ? "<10" : delivery.size() < 100 ? "10..99" : ">=100");

            int dataLength = total - Datagrams.wrap(d).headerLength();
            BitSet have = new BitSet(dataLength);
            boolean lastSeen = false;
            boolean done = false;
            int completions = 0;
            for (int i = 0; i < delivery.size(); i++) {
                Piece p = Piece.of(delivery.get(i));
                boolean adds = have.nextClearBit(p.from) < p.to;
                have.set(p.from, p.to);
                lastSeen |= p.last;
                boolean completes = !done && lastSeen && have.cardinality() == dataLength;
                Ipv4Reassembler.Outcome o = reasm.offer(Datagrams.wrap(p.seg), T0 + i);
                Ipv4Reassembler.Outcome expected = completes ? Ipv4Reassembler.Outcome.COMPLETE
                        : (adds && !done) ? Ipv4Reassembler.Outcome.HELD : Ipv4Reassembler.Outcome.DUPLICATE;
                assertEquals(expected, o, "fragment " + i + " of " + delivery.size() + " covering [" + p.from + ", " + p.to + ")");
                if (o == Ipv4Reassembler.Outcome.COMPLETE) {
                    done = true;
                    completions++;
                    assertEquals(total, reasm.completedLength());
                    long mismatch = MemorySegment.mismatch(d, 0, total,
                            reasm.completedSegment(), reasm.completedOffset(), reasm.completedOffset() + total);
                    assertEquals(-1, mismatch, "the datagram must come back byte for byte");
                    pool.release(reasm.completedBuffer());
                }
            }
            assertEquals(1, completions);
            assertEquals(0, reasm.inProgress());
            assertEquals(Ipv4Reassembler.NEVER, reasm.nextTimerNs());
            assertEquals(0, reasm.conflicts() + reasm.malformed() + reasm.tooBig() + reasm.noBuffer() + reasm.stale());
        } finally {
            reasm.clear();
            assertEquals(0, pool.inUse(), "no buffer may leak");
        }
    }

    @Property(tries = 100)
    void aMissingFragmentTimesOutAtExactlyTheTimeout(@ForAll("payloads") int payloadChoice, @ForAll("mtus") int mtuChoice,
                                                     @ForAll long seed) {
        int payload = Math.max(100, payloadChoice);
        SplittableRandom rnd = new SplittableRandom(seed);
        Ipv4Reassembler reasm = new Ipv4Reassembler(pool);
        int inUseBefore = pool.inUse();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = Datagrams.datagram(arena, false, payload, 99, rnd);
            int mtu = Math.min(mtuChoice, (int) d.byteSize() - 1);
            List<MemorySegment> frags = new ArrayList<>(Datagrams.fragment(arena, d, mtu));
            MemorySegment missing = frags.remove(rnd.nextInt(frags.size()));
            List<MemorySegment> delivery = new ArrayList<>(frags);
            for (MemorySegment f : frags) {
                if (rnd.nextInt(4) == 0) {
                    delivery.add(f);
                }
            }
            Collections.shuffle(delivery, new Random(rnd.nextLong()));
            long deadline = T0 + Ipv4Reassembler.DEFAULT_TIMEOUT_NS;
            for (int i = 0; i < delivery.size(); i++) {
                long now = i == 0 ? T0 : T0 + 1 + rnd.nextLong(Ipv4Reassembler.DEFAULT_TIMEOUT_NS - 1);
                Ipv4Reassembler.Outcome o = reasm.offer(Datagrams.wrap(delivery.get(i)), now);
                assertTrue(o == Ipv4Reassembler.Outcome.HELD || o == Ipv4Reassembler.Outcome.DUPLICATE, o::toString);
            }
            assertEquals(1, reasm.inProgress());
            assertEquals(inUseBefore + 1, pool.inUse());
            assertEquals(deadline, reasm.nextTimerNs(), "the timer runs from the first fragment, not the last");

            assertEquals(0, reasm.expire(deadline - 1));
            assertEquals(1, reasm.inProgress());
            assertEquals(1, reasm.expire(deadline));
            assertEquals(0, reasm.inProgress());
            assertEquals(inUseBefore, pool.inUse(), "the timeout frees the buffer");
            assertEquals(1, reasm.timeouts());
            assertEquals(Ipv4Reassembler.NEVER, reasm.nextTimerNs());

            // The straggler starts a new reassembly, which times out in its turn.
            assertEquals(Ipv4Reassembler.Outcome.HELD, reasm.offer(Datagrams.wrap(missing), deadline));
            assertEquals(deadline + Ipv4Reassembler.DEFAULT_TIMEOUT_NS, reasm.nextTimerNs());
        } finally {
            reasm.clear();
            assertEquals(inUseBefore, pool.inUse());
        }
    }

    /**
     * A copy of one fragment with one byte changed arrives too. If the datagram is complete
     * before the second of the pair arrives, it completes once (with whichever came first) and
     * the other is a duplicate; otherwise the second is a conflict, the datagram is dropped whole
     * and every later fragment is stale. Never both, and no buffer leaks.
     */
    @Property(tries = 150)
    void aDisagreeingOverlapDropsTheDatagramUnlessItWasAlreadyComplete(@ForAll @IntRange(min = 100, max = 20000) int payload,
                                                                       @ForAll @IntRange(min = 68, max = 1500) int mtuChoice,
                                                                       @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Ipv4Reassembler reasm = new Ipv4Reassembler(pool);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = Datagrams.datagram(arena, false, payload, 5, rnd);
            int total = (int) d.byteSize();
            int mtu = Math.min(mtuChoice, total - 1);
            List<MemorySegment> frags = Datagrams.fragment(arena, d, mtu);
            int k = rnd.nextInt(frags.size());
            MemorySegment original = frags.get(k);
            MemorySegment evil = arena.allocate(original.byteSize());
            MemorySegment.copy(original, 0, evil, 0, original.byteSize());
            Ipv4Packet e = Datagrams.wrap(evil);
            long at = e.payloadOffset() + rnd.nextInt(e.payloadLength());
            BigEndian.u8(evil, at, BigEndian.u8(evil, at) ^ (1 + rnd.nextInt(255)));
            List<MemorySegment> delivery = new ArrayList<>(frags);
            delivery.add(evil);
            Collections.shuffle(delivery, new Random(rnd.nextLong()));

            int first = Math.min(delivery.indexOf(original), delivery.indexOf(evil));
            int second = Math.max(delivery.indexOf(original), delivery.indexOf(evil));
            // The datagram is complete once every fragment but the pair has arrived, and one of the pair.
            int completeAt = first;
            for (int i = 0; i < delivery.size(); i++) {
                if (i != second && i > completeAt) {
                    completeAt = i;
                }
            }
            boolean completes = completeAt < second;
            for (int i = 0; i < delivery.size(); i++) {
                Ipv4Reassembler.Outcome o = reasm.offer(Datagrams.wrap(delivery.get(i)), T0 + i);
                Ipv4Reassembler.Outcome expected;
                if (completes) {
                    expected = i == completeAt ? Ipv4Reassembler.Outcome.COMPLETE
                            : i == second ? Ipv4Reassembler.Outcome.DUPLICATE : Ipv4Reassembler.Outcome.HELD;
                } else {
                    expected = i < second ? Ipv4Reassembler.Outcome.HELD
                            : i == second ? Ipv4Reassembler.Outcome.DROPPED_CONFLICT : Ipv4Reassembler.Outcome.DROPPED_STALE;
                }
                assertEquals(expected, o, "at " + i + "; pair at " + first + ", " + second);
                if (o == Ipv4Reassembler.Outcome.COMPLETE) {
                    MemorySegment winner = delivery.get(first);
                    Ipv4Packet w = Datagrams.wrap(winner);
                    long base = reasm.completedOffset() + 20;
                    assertEquals(-1, MemorySegment.mismatch(winner, 20, w.totalLength(), reasm.completedSegment(),
                            base + w.fragmentOffset(), base + w.fragmentOffset() + w.payloadLength()), "first arrival's bytes");
                    pool.release(reasm.completedBuffer());
                }
            }
            assertEquals(completes ? 0 : 1, reasm.conflicts());
            assertEquals(0, reasm.inProgress());
            assertEquals(0, pool.inUse());
        } finally {
            reasm.clear();
            assertEquals(0, pool.inUse());
        }
    }
}

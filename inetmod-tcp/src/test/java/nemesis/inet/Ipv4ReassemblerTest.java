package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import nemesis.inet.Ipv4Reassembler.Outcome;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each drop reason and limit of the reassembler, with its counter, and no buffer leaked. */
class Ipv4ReassemblerTest {
    static final long S = 1_000_000_000L;
    static final long T0 = 100 * S;

    final Arena arena = Arena.ofConfined();
    final FixedBufferPool pool = new FixedBufferPool(3, Ipv4Reassembler.bufferCapacityFor(65535));
    final Ipv4Reassembler reasm = new Ipv4Reassembler(pool, 2, Ipv4Reassembler.DEFAULT_TIMEOUT_NS, 65535);

    @AfterEach
    void noLeak() {
        reasm.clear();
        assertEquals(0, reasm.inProgress());
        assertEquals(0, pool.inUse(), "every buffer back in the pool");
        arena.close();
    }

    /** A fragment of datagram {@code id}: data bytes [offset, offset+length) of a pattern, MF as given. */
    Ipv4Packet frag(int id, int offset, int length, boolean more) {
        MemorySegment seg = arena.allocate(20 + length);
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, 0, 20 + length);
        ip.headerLength(20).totalLength(20 + length).identification(id).fragment(false, more, offset)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).src(0x0A00_0001).dst(0x0A00_0002);
        for (int i = 0; i < length; i++) {
            BigEndian.u8(seg, 20 + i, pattern(offset + i));
        }
        return ip.fillChecksum();
    }

    static int pattern(int i) {
        return (i * 31 + 7) & 0xFF;
    }

    @Test
    void aWholeDatagramPassesThrough() {
        assertEquals(Outcome.NOT_FRAGMENT, reasm.offer(frag(1, 0, 100, false), T0));
        assertEquals(0, reasm.fragments());
    }

    @Test
    void agreeingOverlapsAddOnlyTheirNewBytes() {
        assertEquals(Outcome.HELD, reasm.offer(frag(1, 0, 16, true), T0));
        assertEquals(Outcome.HELD, reasm.offer(frag(1, 8, 16, true), T0));
        assertEquals(Outcome.DUPLICATE, reasm.offer(frag(1, 0, 24, true), T0));
        assertEquals(Outcome.COMPLETE, reasm.offer(frag(1, 24, 5, false), T0));
        assertEquals(20 + 29, reasm.completedLength());
        Ipv4Packet whole = new Ipv4Packet().wrap(reasm.completedSegment(), reasm.completedOffset(), reasm.completedLength());
        assertEquals(Ipv4Packet.Check.OK, whole.validate());
        assertEquals(false, whole.isFragment());
        for (int i = 0; i < 29; i++) {
            assertEquals(pattern(i), BigEndian.u8(whole.segment(), whole.payloadOffset() + i));
        }
        pool.release(reasm.completedBuffer());
        assertEquals(Outcome.DUPLICATE, reasm.offer(frag(1, 8, 8, true), T0 + 1), "delivered already: not again");
        assertEquals(1, reasm.completed());
        assertEquals(2, reasm.duplicates());
    }

    @Test
    void disagreeingEndsAreAConflict() {
        reasm.offer(frag(1, 8, 9, false), T0);
        assertEquals(Outcome.DROPPED_CONFLICT, reasm.offer(frag(1, 8, 10, false), T0));
        assertEquals(Outcome.DROPPED_STALE, reasm.offer(frag(1, 0, 8, true), T0));
        reasm.offer(frag(2, 0, 16, true), T0);
        assertEquals(Outcome.DROPPED_CONFLICT, reasm.offer(frag(2, 8, 4, false), T0), "data past the end");
        reasm.offer(frag(3, 8, 4, false), T0);
        assertEquals(Outcome.DROPPED_CONFLICT, reasm.offer(frag(3, 8, 8, true), T0), "data past the end");
        assertEquals(3, reasm.conflicts());
        assertEquals(1, reasm.stale());
        assertEquals(0, reasm.inProgress());
    }

    @Test
    void malformedFragmentsAreDroppedAlone() {
        reasm.offer(frag(1, 0, 16, true), T0);
        assertEquals(Outcome.DROPPED_MALFORMED, reasm.offer(frag(1, 16, 12, true), T0), "MF with 12 bytes");
        assertEquals(Outcome.DROPPED_MALFORMED, reasm.offer(frag(1, 16, 0, true), T0), "no data");
        assertEquals(Outcome.DROPPED_MALFORMED, reasm.offer(frag(1, 16, 0, false), T0), "no data");
        assertEquals(Outcome.COMPLETE, reasm.offer(frag(1, 16, 3, false), T0));
        pool.release(reasm.completedBuffer());
        assertEquals(3, reasm.malformed());
    }

    @Test
    void pingOfDeathIsDroppedWhole() {
        reasm.offer(frag(1, 0, 8, true), T0);
        assertEquals(Outcome.DROPPED_TOO_BIG, reasm.offer(frag(1, 65528, 8, false), T0), "would end at 65556");
        assertEquals(Outcome.DROPPED_STALE, reasm.offer(frag(1, 8, 8, true), T0));
        assertEquals(Outcome.DROPPED_TOO_BIG, reasm.offer(frag(2, 65504, 16, false), T0), "65520 + 20 > 65535, no entry made");
        assertEquals(0, reasm.inProgress());
        assertEquals(2, reasm.tooBig());
        // 65515 bytes of data with a 20-byte header is exactly the maximum.
        assertEquals(Outcome.HELD, reasm.offer(frag(3, 65512, 3, false), T0));
    }

    @Test
    void aSmallerMaximumIsEnforcedWithTheRealHeaderLength() {
        FixedBufferPool small = new FixedBufferPool(1, Ipv4Reassembler.bufferCapacityFor(1500));
        Ipv4Reassembler r = new Ipv4Reassembler(small, 1, S, 1500);
        assertEquals(Outcome.HELD, r.offer(frag(1, 1472, 8, false), T0));
        assertEquals(Outcome.DROPPED_TOO_BIG, r.offer(frag(2, 1480, 8, false), T0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Reassembler(small, 1, S, 1501));
        r.clear();
        assertEquals(0, small.inUse());
    }

    @Test
    void theOldestDatagramMakesRoomAtTheLimit() {
        reasm.offer(frag(1, 0, 8, true), T0);
        reasm.offer(frag(2, 0, 8, true), T0 + 1);
        assertEquals(Outcome.HELD, reasm.offer(frag(3, 0, 8, true), T0 + 2));
        assertEquals(1, reasm.evictions());
        assertEquals(2, reasm.inProgress());
        assertEquals(Outcome.DROPPED_STALE, reasm.offer(frag(1, 8, 8, false), T0 + 3));
        assertEquals(T0 + 1 + Ipv4Reassembler.DEFAULT_TIMEOUT_NS, reasm.nextTimerNs());
    }

    @Test
    void noBufferNoReassembly() {
        FixedBufferPool one = new FixedBufferPool(1, Ipv4Reassembler.bufferCapacityFor(65535));
        Ipv4Reassembler r = new Ipv4Reassembler(one, 4, S, 65535);
        assertEquals(Outcome.HELD, r.offer(frag(1, 0, 8, true), T0));
        assertEquals(Outcome.DROPPED_NO_BUFFER, r.offer(frag(2, 0, 8, true), T0));
        assertEquals(1, r.noBuffer());
        assertEquals(1, r.inProgress());
        r.clear();
        assertEquals(0, one.inUse());
    }

    @Test
    void aFragmentAtTheDeadlineFindsTheOldDatagramGone() {
        reasm.offer(frag(1, 0, 8, true), T0);
        long deadline = T0 + Ipv4Reassembler.DEFAULT_TIMEOUT_NS;
        assertEquals(Outcome.HELD, reasm.offer(frag(1, 8, 8, true), deadline - 1));
        assertEquals(Outcome.HELD, reasm.offer(frag(1, 16, 8, false), deadline), "a new reassembly: the old one timed out");
        assertEquals(1, reasm.timeouts());
        assertEquals(1, reasm.inProgress());
        assertEquals(1, pool.inUse());
    }

    @Test
    void tombstonesLastUntilTheOriginalDeadline() {
        reasm.offer(frag(1, 0, 8, true), T0);
        assertEquals(Outcome.COMPLETE, reasm.offer(frag(1, 8, 8, false), T0 + S));
        pool.release(reasm.completedBuffer());
        long deadline = T0 + Ipv4Reassembler.DEFAULT_TIMEOUT_NS;
        assertEquals(Ipv4Reassembler.NEVER, reasm.nextTimerNs(), "a tombstone needs no timer");
        assertEquals(Outcome.DUPLICATE, reasm.offer(frag(1, 0, 8, true), deadline - 1));
        assertEquals(Outcome.HELD, reasm.offer(frag(1, 0, 8, true), deadline), "the identification may be used again");
    }
}

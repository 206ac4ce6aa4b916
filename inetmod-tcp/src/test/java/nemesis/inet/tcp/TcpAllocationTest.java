package nemesis.inet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import nemesis.inet.StreamPattern;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import org.junit.jupiter.api.Test;

/**
 * The core allocates nothing per segment once warm: a bulk transfer between two connections, with
 * the segments written to preallocated frames, checksummed, validated and fed across (in order,
 * and with every fifth segment held back to exercise reassembly and SACK). Measured with the
 * JVM's per-thread allocation counter.
 */
class TcpAllocationTest {
    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final int SLOTS = 4096;

    /** An endless pattern stream the application keeps topping up. */
    static final class Source implements SendStream {
        long end;
        long acked;

        @Override
        public long end() {
            return end;
        }

        @Override
        public void acknowledged(long upTo) {
            acked = upTo;
        }

        @Override
        public boolean finQueued() {
            return false;
        }
    }

    static final class Sink implements ReceiveStream {
        long got;

        @Override
        public void deliver(MemorySegment seg, long offset, int len) {
            got += len;
        }

        @Override
        public void finReceived() {
        }

        @Override
        public int space() {
            return 1 << 20;
        }
    }

    /** A one-way queue of preallocated frames. */
    static final class Queue implements TcpOutput {
        final MemorySegment[] frames = new MemorySegment[SLOTS];
        final int[] lengths = new int[SLOTS];
        final MemorySegment payload;
        int head;
        int tail;

        Queue(MemorySegment payload) {
            this.payload = payload;
            for (int i = 0; i < SLOTS; i++) {
                frames[i] = Arena.ofAuto().allocate(1600, 8);
            }
        }

        @Override
        public void segment(TcpHeaderOut h, long from, int len) {
            MemorySegment f = frames[tail % SLOTS];
            int hl = h.write(f, 0);
            if (len > 0) {
                MemorySegment.copy(payload, from % 65536, f, hl, len);
            }
            TcpChecksum.fill(f, 0, hl + len, h.srcIp, h.dstIp);
            lengths[tail % SLOTS] = hl + len;
            tail++;
        }
    }

    @Test
    void aBulkTransferAllocatesNothingPerSegment() {
        TcpConfig cfg = TcpConfig.modern().withDelayedAck(true);
        MemorySegment payload = Arena.ofAuto().allocate(65536 + 2048, 8);
        StreamPattern.fill(payload, 0, (int) payload.byteSize(), 0);
        Source src = new Source();
        Sink sink = new Sink();
        Queue ab = new Queue(payload);
        Queue ba = new Queue(payload);
        TcpConnection a = new TcpConnection(cfg, 1, 1000, 2, 80, ab, src, new Sink(), TcpListener.NONE);
        TcpConnection b = new TcpConnection(cfg, 2, 80, 1, 1000, ba, new Source(), sink, TcpListener.NONE);
        TcpHeader in = new TcpHeader();
        long[] now = {0};
        b.listen(0);
        a.connect(0);
        Runnable pump = () -> {
            for (int round = 0; round < 8_000; round++) {
                now[0] += 50_000;
                src.end = src.acked + 200_000; // the application keeps the send buffer full
                a.send(now[0]);
                int held = -1;
                while (ab.head < ab.tail || ba.head < ba.tail) {
                    while (ab.head < ab.tail) {
                        int i = ab.head++ % SLOTS;
                        if (held < 0 && ab.head % 5 == 0 && ab.head < ab.tail) {
                            held = i; // delivered after the next one: out of order
                            continue;
                        }
                        in.wrap(ab.frames[i], 0, ab.lengths[i]).validate(ab.lengths[i], 1, 2);
                        b.input(in, now[0]);
                        if (held >= 0 && i != held) {
                            in.wrap(ab.frames[held], 0, ab.lengths[held]).validate(ab.lengths[held], 1, 2);
                            b.input(in, now[0]);
                            held = -1;
                        }
                    }
                    while (ba.head < ba.tail) {
                        int i = ba.head++ % SLOTS;
                        in.wrap(ba.frames[i], 0, ba.lengths[i]).validate(ba.lengths[i], 2, 1);
                        a.input(in, now[0]);
                    }
                }
                if (b.nextTimerNs() <= now[0]) {
                    b.onTimer(now[0]);
                }
                if (a.nextTimerNs() <= now[0]) {
                    a.onTimer(now[0]);
                }
            }
        };
        pump.run(); // warm up: the JIT compiles, the reassembly store is allocated
        pump.run();
        long got = sink.got;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        pump.run();
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        long moved = sink.got - got;
        assertEquals(TcpState.ESTABLISHED, a.state());
        assertTrue(moved > 40_000_000L, "moved " + moved);
        assertTrue(a.counters().get(TcpCounters.Event.OUT_OF_ORDER_SEGS) + b.counters().get(TcpCounters.Event.OUT_OF_ORDER_SEGS) > 0);
        assertTrue(bytes < 4096, "allocated " + bytes + " bytes while moving " + moved + " bytes");
    }
}

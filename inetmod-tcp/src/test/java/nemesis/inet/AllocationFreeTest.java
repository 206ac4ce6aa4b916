package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.SplittableRandom;
import nemesis.inet.wire.UdpDatagram;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.TransportPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-packet paths allocate nothing, measured: the JVM's count of bytes this thread
 * allocated, around a hundred thousand packets after a warm-up (so the JIT has compiled them).
 */
class AllocationFreeTest {
    static final int WARMUP = 30_000;
    static final int RUNS = 100_000;
    /** Slack for the measuring itself. */
    static final long SLACK_BYTES = 2_048;

    final Arena arena = Arena.ofConfined();
    /** A consumer the JIT cannot prove useless. */
    long sink;

    @AfterEach
    void close() {
        arena.close();
    }

    static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < WARMUP; i++) {
            work.run();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < RUNS; i++) {
            work.run();
        }
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    /** Up to three rounds, so that a JIT still compiling in one round does not fail the test. */
    static void assertNoAllocation(String what, Runnable work) {
        long bytes = Long.MAX_VALUE;
        for (int round = 0; round < 3 && bytes >= SLACK_BYTES; round++) {
            bytes = allocatedBy(work);
        }
        assertTrue(bytes < SLACK_BYTES, what + " allocated " + bytes + " bytes over " + RUNS + " runs");
    }

    MemorySegment offHeap(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        MemorySegment seg = arena.allocate(b.length);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, seg, 0, b.length);
        return seg;
    }

    @Test
    void receivingAUdpFrame() {
        MemorySegment frame = offHeap(nemesis.inet.wire.KnownFramesTestAccess.UDP_FRAME);
        EthernetFrame eth = new EthernetFrame();
        Ipv4Packet ip = new Ipv4Packet();
        UdpDatagram udp = new UdpDatagram();
        assertNoAllocation("Ethernet/IPv4/UDP receive", () -> {
            eth.wrap(frame, 0, 60);
            if (eth.check() != EthernetFrame.Check.OK || eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
                throw new AssertionError();
            }
            ip.wrap(frame, eth.payloadOffset(), eth.payloadLength());
            if (ip.validate() != Ipv4Packet.Check.OK) {
                throw new AssertionError();
            }
            sink += TransportPorts.ports(ip);
            udp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
            if (udp.validate(ip.payloadLength(), ip.src(), ip.dst()) != UdpDatagram.Check.OK) {
                throw new AssertionError();
            }
            sink += udp.dstPort() + ip.ttl() + eth.src();
        });
    }

    @Test
    void buildingAUdpDatagramAndChecksummingAFullFrame() {
        MemorySegment buf = arena.allocate(1514);
        Ipv4Packet ip = new Ipv4Packet();
        UdpDatagram udp = new UdpDatagram();
        assertNoAllocation("IPv4/UDP build and checksum", () -> {
            udp.wrap(buf, 34, 1480).header(5001, 5002, 1472).fillChecksum(0x0A000001, 0x0A000002);
            ip.wrap(buf, 14, 1500).headerLength(20).tos(0).totalLength(1500).identification(1).fragment(true, false, 0)
                    .ttl(64).protocol(Ipv4Packet.PROTO_UDP).src(0x0A000001).dst(0x0A000002).fillChecksum();
            sink += Checksum.sum(buf, 1, 1513, 0);
        });
    }

    @Test
    void arpLookupsAndResolveHits() {
        ArpCache cache = new ArpCache();
        ArpCache.Actions none = new ArpCache.Actions() {
            @Override
            public void sendRequest(int ip) {
            }

            @Override
            public void transmitHeld(long handle, int ip, long mac) {
            }

            @Override
            public void dropHeld(long handle, int ip) {
            }
        };
        for (int i = 0; i < 32; i++) {
            cache.learn(0x0A000000 + i, 0x0200_0000_0000L + i, 0, none);
        }
        int[] n = {0};
        assertNoAllocation("ARP lookup hit", () -> {
            int ip = 0x0A000000 + (n[0]++ & 31);
            sink += cache.lookup(ip, 1_000) + cache.resolve(ip, 7, 1_000, none);
        });
    }

    @Test
    void fragmentingAndReassembling() {
        SplittableRandom rnd = new SplittableRandom(1);
        MemorySegment d = Datagrams.datagram(arena, false, 4000, 1, rnd);
        MemorySegment scratch = arena.allocate(3 * 1500);
        Ipv4Fragmenter frag = new Ipv4Fragmenter();
        FixedBufferPool pool = new FixedBufferPool(2, Ipv4Reassembler.bufferCapacityFor(65535));
        Ipv4Reassembler reasm = new Ipv4Reassembler(pool);
        Ipv4Packet in = new Ipv4Packet();
        Ipv4Packet fragment = new Ipv4Packet();
        int[] id = {0};
        assertNoAllocation("fragment and reassemble 4000 bytes", () -> {
            // A new datagram every millisecond: an identification comes round again after 65 s,
            // long after its tombstone is gone (RFC 6864).
            long now = id[0] * 1_000_000L;
            in.wrap(d, 0, 4020).identification(id[0]++ & 0xFFFF);
            if (frag.begin(d, 0, 4020, 1500) != Ipv4Fragmenter.Result.OK) {
                throw new AssertionError();
            }
            long at = 0;
            while (frag.hasNext()) {
                at += frag.next(scratch, at);
            }
            Ipv4Reassembler.Outcome last = null;
            for (long p = 0; p < at; p += fragment.totalLength()) {
                fragment.wrap(scratch, p, (int) (at - p));
                last = reasm.offer(fragment, now);
            }
            if (last != Ipv4Reassembler.Outcome.COMPLETE) {
                throw new AssertionError(last);
            }
            sink += reasm.completedLength();
            pool.release(reasm.completedBuffer());
        });
        assertEquals(0, pool.inUse());
    }
}

package nemesis.inet.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Untrusted bytes through {@link ArpPacket#validate()}, {@link IcmpPacket#validate()} and
 * {@link UdpDatagram#validate}: a million random arrays, then mutations of valid packets
 * (truncation, bit flips, length fields set to extremes). Nothing may throw or read past the
 * range (each sits at the very end of its segment), and each verdict must equal the plain
 * {@link Reference} one; the accessors of a packet found OK stay inside the range.
 */
class InetWireFuzzTest {
    static final int AREA = 4096;

    final ArpPacket arp = new ArpPacket();
    final IcmpPacket icmp = new IcmpPacket();
    final UdpDatagram udp = new UdpDatagram();
    int arpOk;
    int icmpOk;
    int udpOk;

    void check(MemorySegment area, byte[] b, int n, int src, int dst) {
        long at = AREA - n;
        MemorySegment.copy(b, 0, area, ValueLayout.JAVA_BYTE, at, n);

        ArpPacket.Check a = arp.wrap(area, at, n).validate();
        same(Reference.arp(b, n), a, b, n);
        if (a == ArpPacket.Check.OK) {
            arpOk++;
            arp.senderMac();
            arp.targetIp();
        }
        IcmpPacket.Check i = icmp.wrap(area, at, n).validate();
        same(Reference.icmp(b, n), i, b, n);
        if (i == IcmpPacket.Check.OK) {
            icmpOk++;
            assertTrue(icmp.payloadOffset() + icmp.payloadLength() == at + n);
            icmp.echoSequence();
        }
        // The IPv4 layer may say fewer bytes are available than the buffer holds.
        int avail = (n & 1) == 0 ? n : n - (n > 0 ? 1 : 0);
        UdpDatagram.Check u = udp.wrap(area, at, n).validate(avail, src, dst);
        same(Reference.udp(b, avail, src, dst), u, b, n);
        if (u == UdpDatagram.Check.OK) {
            udpOk++;
            assertTrue(udp.payloadOffset() + udp.payloadLength() <= at + avail);
        }
    }

    static void same(Object expected, Object got, byte[] b, int n) {
        if (expected != got) {
            throw new AssertionError(got + " where the reference says " + expected + " for " + HexFormat.of().formatHex(b, 0, n));
        }
    }

    @Test
    void aMillionRandomArrays() {
        SplittableRandom rnd = new SplittableRandom(0x5EED_0003L);
        byte[] b = new byte[AREA];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(AREA);
            for (int k = 0; k < 1_000_000; k++) {
                int n = rnd.nextInt(8) == 0 ? rnd.nextInt(AREA + 1) : rnd.nextInt(65);
                fill(rnd, b, n);
                if (n >= 8 && rnd.nextBoolean()) {
                    switch (rnd.nextInt(2)) {
                        case 0 -> {   // an ARP-looking prefix with a random operation
                            b[0] = 0;
                            b[1] = (byte) (rnd.nextInt(8) == 0 ? 6 : 1);
                            b[2] = 8;
                            b[3] = 0;
                            b[4] = 6;
                            b[5] = (byte) (rnd.nextInt(8) == 0 ? 16 : 4);
                            b[6] = 0;
                            b[7] = (byte) rnd.nextInt(4);
                        }
                        default -> {  // a plausible UDP length
                            int len = rnd.nextInt(n + 3);
                            b[4] = (byte) (len >>> 8);
                            b[5] = (byte) len;
                        }
                    }
                }
                check(area, b, n, rnd.nextInt(), rnd.nextInt());
            }
        }
    }

    @Test
    void mutationsOfValidPackets() {
        SplittableRandom rnd = new SplittableRandom(0x5EED_0004L);
        byte[] b = new byte[AREA];
        MemorySegment heap = MemorySegment.ofArray(b);
        int trials = 300_000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(AREA);
            for (int k = 0; k < trials; k++) {
                int src = rnd.nextInt();
                int dst = rnd.nextInt();
                int data = rnd.nextInt(200);
                int n;
                java.util.Arrays.fill(b, 0, 8 + data + 40, (byte) 0);
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        new ArpPacket().wrap(heap, 0, 28).reply(rnd.nextLong() & 0xFFFF_FFFF_FFFFL, src, 0, dst);
                        n = 28 + (rnd.nextBoolean() ? 18 : 0);
                    }
                    case 1 -> {
                        fill(rnd, b, 8 + data);
                        new IcmpPacket().wrap(heap, 0, 8 + data).fillChecksum();
                        n = 8 + data;
                    }
                    default -> {
                        fill(rnd, b, 8 + data);
                        UdpDatagram u = new UdpDatagram().wrap(heap, 0, 8 + data).header(rnd.nextInt(65536), rnd.nextInt(65536), data);
                        if (rnd.nextInt(10) == 0) {
                            u.checksum(0);
                        } else {
                            u.fillChecksum(src, dst);
                        }
                        n = 8 + data + (rnd.nextBoolean() ? rnd.nextInt(30) : 0);
                    }
                }
                switch (rnd.nextInt(4)) {
                    case 0 -> n = rnd.nextInt(n + 1);
                    case 1 -> {
                        for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                            int bit = rnd.nextInt(Math.min(n, 40) * 8);
                            b[bit / 8] ^= (byte) (1 << (bit % 8));
                        }
                    }
                    case 2 -> {   // the UDP length (bytes 4-5) to an extreme
                        int[] extremes = {0, 1, 7, 8, 9, n - 1, n, n + 1, 0xFFFF};
                        int v = extremes[rnd.nextInt(extremes.length)] & 0xFFFF;
                        b[4] = (byte) (v >>> 8);
                        b[5] = (byte) v;
                    }
                    default -> {
                        // unchanged
                    }
                }
                check(area, b, n, src, dst);
            }
        }
        assertTrue(arpOk > trials / 20 && icmpOk > trials / 20 && udpOk > trials / 20,
                "the mutations should leave many packets valid: " + arpOk + " " + icmpOk + " " + udpOk);
    }

    static void fill(SplittableRandom rnd, byte[] b, int n) {
        for (int i = 0; i < n; i += 8) {
            long r = rnd.nextLong();
            for (int k = 0; k < 8 && i + k < n; k++) {
                b[i + k] = (byte) (r >>> (8 * k));
            }
        }
    }
}

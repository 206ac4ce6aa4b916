package nemesis.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Untrusted bytes through {@link EthernetFrame#check()} and {@link Ipv4Packet#validate}: a million
 * random arrays, then mutations of valid datagrams (truncation, bit flips, length fields set to
 * extremes). Nothing may throw, nothing may read past the range (each sits at the very end of
 * its segment), and the verdict must equal a plain reference written from RFC 791.
 */
class WireFuzzTest {
    static final int AREA = 4096;

    /** RFC 791 §3.1 as a checklist, over a byte array: the verdict {@link Ipv4Packet#validate} must give. */
    static Ipv4Packet.Check referenceIpv4(byte[] b, int n) {
        if (n < 1) {
            return Ipv4Packet.Check.TRUNCATED;
        }
        if ((b[0] & 0xF0) != 0x40) {
            return Ipv4Packet.Check.BAD_VERSION;
        }
        int hl = (b[0] & 0x0F) * 4;
        if (hl < 20) {
            return Ipv4Packet.Check.BAD_HEADER_LENGTH;
        }
        if (n < hl) {
            return Ipv4Packet.Check.TRUNCATED;
        }
        int total = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        if (total < hl) {
            return Ipv4Packet.Check.BAD_TOTAL_LENGTH;
        }
        if (total > n) {
            return Ipv4Packet.Check.TRUNCATED;
        }
        if (ChecksumProperties.referenceSum(b, 0, hl, 0) != 0xFFFF) {
            return Ipv4Packet.Check.BAD_CHECKSUM;
        }
        return Ipv4Packet.Check.OK;
    }

    static EthernetFrame.Check referenceEthernet(int n) {
        return n < 14 ? EthernetFrame.Check.TRUNCATED : n > 1514 ? EthernetFrame.Check.TOO_LONG : EthernetFrame.Check.OK;
    }

    final EthernetFrame eth = new EthernetFrame();
    final Ipv4Packet ip = new Ipv4Packet();
    int ipOk;

    void check(MemorySegment area, byte[] b, int n) {
        long at = AREA - n;
        MemorySegment.copy(b, 0, area, ValueLayout.JAVA_BYTE, at, n);
        assertEquals(referenceEthernet(n), eth.wrap(area, at, n).check());
        Ipv4Packet.Check expected = referenceIpv4(b, n);
        Ipv4Packet.Check got = ip.wrap(area, at, n).validate();
        if (got != expected) {
            throw new AssertionError("IPv4 verdict " + got + ", reference " + expected + " for "
                    + java.util.HexFormat.of().formatHex(b, 0, n));
        }
        if (got == Ipv4Packet.Check.OK) {
            ipOk++;
            assertTrue(ip.headerLength() >= 20 && ip.payloadOffset() + ip.payloadLength() <= at + n);
            TransportPorts.ports(ip);   // must not throw either
        }
    }

    @Test
    void aMillionRandomArrays() {
        SplittableRandom rnd = new SplittableRandom(0x5EED_0001L);
        byte[] b = new byte[AREA];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(AREA);
            for (int i = 0; i < 1_000_000; i++) {
                int n = switch (rnd.nextInt(4)) {
                    case 0, 1 -> rnd.nextInt(81);
                    case 2 -> rnd.nextInt(1601);
                    default -> rnd.nextInt(AREA + 1);
                };
                fill(rnd, b, Math.min(n, 64));   // beyond the header the content does not matter
                if (n > 0 && rnd.nextBoolean()) {
                    b[0] = (byte) (0x40 | rnd.nextInt(16));   // get past the version check half the time
                    if (n > 3 && rnd.nextBoolean()) {
                        int total = rnd.nextInt(n + 1);
                        b[2] = (byte) (total >>> 8);
                        b[3] = (byte) total;
                    }
                }
                check(area, b, n);
            }
        }
    }

    @Test
    void mutationsOfValidDatagrams() {
        SplittableRandom rnd = new SplittableRandom(0x5EED_0002L);
        byte[] b = new byte[AREA];
        MemorySegment heap = MemorySegment.ofArray(b);
        int trials = 300_000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(AREA);
            for (int i = 0; i < trials; i++) {
                int optionBytes = 4 * rnd.nextInt(11);
                int payload = rnd.nextInt(300);
                int padding = rnd.nextInt(3) == 0 ? rnd.nextInt(40) : 0;
                Ipv4Packet p = FlyweightProperties.buildIpv4(heap, 0, optionBytes, payload, rnd.nextInt(256), rnd.nextInt(65536),
                        rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextInt(8192) * 8, rnd.nextInt(256), rnd.nextInt(256),
                        rnd.nextInt(), rnd.nextInt());
                int hl = 20 + optionBytes;
                int n = hl + payload + padding;
                switch (rnd.nextInt(5)) {
                    case 0 -> n = rnd.nextInt(n + 1);                                   // truncation
                    case 1 -> {                                                         // bit flips in the header
                        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                            int bit = rnd.nextInt(hl * 8);
                            b[bit / 8] ^= (byte) (1 << (bit % 8));
                        }
                    }
                    case 2 -> {                                                         // Total Length extremes
                        int[] extremes = {0, 1, 19, hl - 1, hl, hl + payload - 1, hl + payload + 1, n, n + 1, 0xFFFF};
                        p.totalLength(extremes[rnd.nextInt(extremes.length)] & 0xFFFF);
                        if (rnd.nextBoolean()) {
                            p.fillChecksum();
                        }
                    }
                    case 3 -> {                                                         // IHL and version extremes
                        b[0] = (byte) ((rnd.nextInt(4) == 0 ? rnd.nextInt(16) : 4) << 4 | rnd.nextInt(16));
                        if (rnd.nextBoolean()) {
                            p.headerChecksum(0);
                            int ihl = (b[0] & 0xF) * 4;
                            if ((b[0] & 0xF0) == 0x40 && ihl >= 20 && ihl <= n) {
                                p.fillChecksum();
                            }
                        }
                    }
                    default -> {
                        // unchanged: must be OK
                    }
                }
                check(area, b, n);
            }
        }
        assertTrue(ipOk > trials / 5, "the mutations should leave many datagrams valid: " + ipOk);
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

package nemesis.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Build with the setters, parse back with the accessors: every field comes back. */
class FlyweightProperties {

    @Property(tries = 1000)
    void ethernetRoundTrip(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) long dst,
                           @ForAll @LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) long src,
                           @ForAll @IntRange(max = 0xFFFF) int type,
                           @ForAll @IntRange(min = 14, max = 1514) int length,
                           @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(offset + length);
            new EthernetFrame().wrap(seg, offset, length).dst(dst).src(src).etherType(type);
            EthernetFrame f = new EthernetFrame().wrap(seg, offset, length);
            assertEquals(EthernetFrame.Check.OK, f.check());
            assertEquals(dst, f.dst());
            assertEquals(src, f.src());
            assertEquals(type, f.etherType());
            assertEquals(offset + 14, f.payloadOffset());
            assertEquals(length - 14, f.payloadLength());
        }
    }

    @Example
    void ethernetLengthChecks() {
        MemorySegment seg = MemorySegment.ofArray(new byte[2000]);
        EthernetFrame f = new EthernetFrame();
        assertEquals(EthernetFrame.Check.TRUNCATED, f.wrap(seg, 0, 0).check());
        assertEquals(EthernetFrame.Check.TRUNCATED, f.wrap(seg, 0, 13).check());
        assertEquals(EthernetFrame.Check.OK, f.wrap(seg, 0, 14).check());
        assertEquals(EthernetFrame.Check.OK, f.wrap(seg, 0, 1514).check());
        assertEquals(EthernetFrame.Check.TOO_LONG, f.wrap(seg, 0, 1515).check());
        assertThrows(IllegalArgumentException.class, () -> f.wrap(seg, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> f.wrap(seg, 1990, 11));
        assertEquals(60, EthernetFrame.paddedLength(42));
        assertEquals(61, EthernetFrame.paddedLength(61));
        byte[] dirty = new byte[64];
        java.util.Arrays.fill(dirty, (byte) 0x55);
        assertEquals(60, EthernetFrame.pad(MemorySegment.ofArray(dirty), 2, 42));
        for (int i = 44; i < 62; i++) {
            assertEquals(0, dirty[i], "padding must be zero at " + i);
        }
        assertEquals(0x55, dirty[62]);
        assertEquals(0x55, dirty[43]);
    }

    /** Writes a whole IPv4 datagram with the given fields and {@code optionBytes} bytes of options (a multiple of 4). */
    static Ipv4Packet buildIpv4(MemorySegment seg, long offset, int optionBytes, int payload, int tos, int id,
                                boolean df, boolean mf, int fragOffset, int ttl, int proto, int src, int dst) {
        int hl = 20 + optionBytes;
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, offset, hl + payload);
        ip.headerLength(hl).tos(tos).totalLength(hl + payload).identification(id).fragment(df, mf, fragOffset)
                .ttl(ttl).protocol(proto).src(src).dst(dst);
        for (int i = 0; i < optionBytes; i++) {
            BigEndian.u8(seg, offset + 20 + i, 1);   // NOP
        }
        for (int i = 0; i < payload; i++) {
            BigEndian.u8(seg, offset + hl + i, i * 7 + 3);
        }
        return ip.fillChecksum();
    }

    @Property(tries = 2000)
    void ipv4RoundTrip(@ForAll @IntRange(max = 10) int optionWords, @ForAll @IntRange(max = 1480) int payload,
                       @ForAll @IntRange(max = 255) int tos, @ForAll @IntRange(max = 0xFFFF) int id,
                       @ForAll boolean df, @ForAll boolean mf, @ForAll @IntRange(max = 8191) int fragUnits,
                       @ForAll @IntRange(max = 255) int ttl, @ForAll @IntRange(max = 255) int proto,
                       @ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 30) int padding,
                       @ForAll @IntRange(max = 5) int offset) {
        int hl = 20 + 4 * optionWords;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(offset + hl + payload + padding);
            buildIpv4(seg, offset, 4 * optionWords, payload, tos, id, df, mf, fragUnits * 8, ttl, proto, src, dst);
            // Ethernet padding after the datagram: the buffer is longer than Total Length.
            Ipv4Packet ip = new Ipv4Packet().wrap(seg, offset, hl + payload + padding);
            assertEquals(Ipv4Packet.Check.OK, ip.validate());
            assertEquals(4, ip.version());
            assertEquals(hl / 4, ip.ihl());
            assertEquals(hl, ip.headerLength());
            assertEquals(tos, ip.tos());
            assertEquals(tos >>> 2, ip.dscp());
            assertEquals(tos & 3, ip.ecn());
            assertEquals(hl + payload, ip.totalLength());
            assertEquals(id, ip.identification());
            assertEquals(df, ip.dontFragment());
            assertEquals(mf, ip.moreFragments());
            assertEquals(fragUnits * 8, ip.fragmentOffset());
            assertEquals(mf || fragUnits != 0, ip.isFragment());
            assertEquals(ttl, ip.ttl());
            assertEquals(proto, ip.protocol());
            assertEquals(src, ip.src());
            assertEquals(dst, ip.dst());
            assertEquals(offset + 20, ip.optionsOffset());
            assertEquals(hl - 20, ip.optionsLength());
            assertEquals(offset + hl, ip.payloadOffset());
            assertEquals(payload, ip.payloadLength());
            // Fewer bytes available than Total Length: truncated.
            assertEquals(Ipv4Packet.Check.TRUNCATED, ip.validate(hl + payload - 1));
        }
    }

    @Property(tries = 2000)
    void anyChangeToTheHeaderFailsValidation(@ForAll @IntRange(max = 10) int optionWords, @ForAll @IntRange(max = 100) int payload,
                                             @ForAll @IntRange(max = 10_000) int bitChoice, @ForAll int src) {
        int hl = 20 + 4 * optionWords;
        MemorySegment seg = MemorySegment.ofArray(new byte[hl + payload]);
        buildIpv4(seg, 0, 4 * optionWords, payload, 0, 1, false, false, 0, 64, 17, src, 0x0A000002);
        int bit = bitChoice % (hl * 8);
        BigEndian.u8(seg, bit / 8, BigEndian.u8(seg, bit / 8) ^ (1 << (bit % 8)));
        assertNotEquals(Ipv4Packet.Check.OK, new Ipv4Packet().wrap(seg, 0, hl + payload).validate());
    }

    @Example
    void ipv4ValidationReasons() {
        MemorySegment seg = MemorySegment.ofArray(new byte[100]);
        Ipv4Packet ip = buildIpv4(seg, 0, 0, 20, 0, 7, true, false, 0, 64, 6, 1, 2);
        assertEquals(Ipv4Packet.Check.OK, ip.validate(40));
        assertEquals(Ipv4Packet.Check.TRUNCATED, ip.validate(0));
        assertEquals(Ipv4Packet.Check.TRUNCATED, ip.validate(-5));
        assertEquals(Ipv4Packet.Check.TRUNCATED, ip.validate(19));
        assertEquals(Ipv4Packet.Check.TRUNCATED, ip.validate(39));
        assertEquals(Ipv4Packet.Check.OK, ip.validate(1000));   // capped at the wrapped length
        ip.totalLength(19).fillChecksum();
        assertEquals(Ipv4Packet.Check.BAD_TOTAL_LENGTH, ip.validate());
        ip.totalLength(40).headerChecksum(ip.headerChecksum() ^ 1);
        assertEquals(Ipv4Packet.Check.BAD_CHECKSUM, ip.validate());
        assertEquals(Ipv4Packet.Check.OK, ip.validateHeader(40));
        BigEndian.u8(seg, 0, 0x44);
        assertEquals(Ipv4Packet.Check.BAD_HEADER_LENGTH, ip.validate());
        BigEndian.u8(seg, 0, 0x65);
        assertEquals(Ipv4Packet.Check.BAD_VERSION, ip.validate());
        assertThrows(IllegalArgumentException.class, () -> ip.headerLength(22));
        assertThrows(IllegalArgumentException.class, () -> ip.fragment(false, true, 12));
    }

    @Example
    void transportPorts() {
        MemorySegment seg = MemorySegment.ofArray(new byte[100]);
        Ipv4Packet ip = buildIpv4(seg, 0, 0, 8, 0, 7, false, false, 0, 64, Ipv4Packet.PROTO_UDP, 1, 2);
        BigEndian.u16(seg, 20, 5001);
        BigEndian.u16(seg, 22, 65535);
        assertEquals(5001, TransportPorts.srcPort(seg, 20, 4));
        assertEquals(65535, TransportPorts.dstPort(seg, 20, 4));
        assertEquals(TransportPorts.NONE, TransportPorts.srcPort(seg, 20, 3));
        assertEquals(TransportPorts.NONE, TransportPorts.dstPort(seg, 20, 0));
        long p = TransportPorts.ports(ip);
        assertEquals(5001, TransportPorts.srcPortOf(p));
        assertEquals(65535, TransportPorts.dstPortOf(p));
        assertTrue(p >= 0);
        ip.protocol(Ipv4Packet.PROTO_ICMP);
        assertEquals(TransportPorts.NONE, TransportPorts.ports(ip));
        ip.protocol(Ipv4Packet.PROTO_TCP);
        assertEquals(p, TransportPorts.ports(ip));
        ip.fragment(false, true, 8);
        assertEquals(TransportPorts.NONE, TransportPorts.ports(ip), "only the first fragment has ports");
        ip.fragment(false, true, 0).totalLength(23);
        assertEquals(TransportPorts.NONE, TransportPorts.ports(ip), "three bytes of payload");
        assertFalse(TransportPorts.hasPorts(Ipv4Packet.PROTO_ICMP));
    }
}

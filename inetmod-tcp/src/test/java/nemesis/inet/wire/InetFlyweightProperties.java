package nemesis.inet.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import nemesis.wire.BigEndian;

/** ARP, ICMP and UDP: build with the setters, parse back, every field comes back and validates. */
class InetFlyweightProperties {

    @Property(tries = 1000)
    void arpRoundTrip(@ForAll boolean request, @ForAll @LongRange(max = 0xFFFF_FFFF_FFFFL) long sha, @ForAll int spa,
                      @ForAll @LongRange(max = 0xFFFF_FFFF_FFFFL) long tha, @ForAll int tpa,
                      @ForAll @IntRange(max = 18) int padding, @ForAll @IntRange(max = 3) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(offset + 28 + padding);
            ArpPacket out = new ArpPacket().wrap(seg, offset, 28);
            if (request) {
                out.request(sha, spa, tpa);
            } else {
                out.reply(sha, spa, tha, tpa);
            }
            ArpPacket in = new ArpPacket().wrap(seg, offset, 28 + padding);
            assertEquals(ArpPacket.Check.OK, in.validate());
            assertEquals(request, in.isRequest());
            assertEquals(!request, in.isReply());
            assertEquals(ArpPacket.HTYPE_ETHERNET, in.hardwareType());
            assertEquals(ArpPacket.PTYPE_IPV4, in.protocolType());
            assertEquals(6, in.hardwareLength());
            assertEquals(4, in.protocolLength());
            assertEquals(sha, in.senderMac());
            assertEquals(spa, in.senderIp());
            assertEquals(request ? 0 : tha, in.targetMac());
            assertEquals(tpa, in.targetIp());
            assertEquals(spa == tpa, in.isGratuitous());
            assertEquals(ArpPacket.Check.TRUNCATED, new ArpPacket().wrap(seg, offset, 27).validate());
        }
    }

    @Example
    void arpReasons() {
        MemorySegment seg = MemorySegment.ofArray(new byte[28]);
        ArpPacket a = new ArpPacket().wrap(seg, 0, 28).request(1, 2, 3);
        BigEndian.u16(seg, 0, 6);   // IEEE 802 networks
        assertEquals(ArpPacket.Check.UNSUPPORTED_HARDWARE, a.validate());
        a.ethernetIpv4();
        BigEndian.u8(seg, 5, 16);   // IPv6-sized
        assertEquals(ArpPacket.Check.UNSUPPORTED_PROTOCOL, a.validate());
        a.ethernetIpv4().operation(3);   // RARP request
        assertEquals(ArpPacket.Check.BAD_OPERATION, a.validate());
        a.operation(ArpPacket.OP_REPLY);
        assertEquals(ArpPacket.Check.OK, a.validate());
    }

    @Property(tries = 1000)
    void icmpEchoRoundTrip(@ForAll boolean request, @ForAll @IntRange(max = 0xFFFF) int id, @ForAll @IntRange(max = 0xFFFF) int seq,
                           @ForAll @IntRange(max = 1472) int dataLength, @ForAll @IntRange(max = 255) int fill,
                           @ForAll @IntRange(max = 3) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            int len = 8 + dataLength;
            MemorySegment seg = arena.allocate(offset + len);
            IcmpPacket out = new IcmpPacket().wrap(seg, offset, len);
            out.type(request ? IcmpPacket.TYPE_ECHO_REQUEST : IcmpPacket.TYPE_ECHO_REPLY).code(0).echoId(id).echoSequence(seq);
            for (int i = 0; i < dataLength; i++) {
                BigEndian.u8(seg, out.payloadOffset() + i, fill + i);
            }
            out.fillChecksum();
            IcmpPacket in = new IcmpPacket().wrap(seg, offset, len);
            assertEquals(IcmpPacket.Check.OK, in.validate());
            assertEquals(request ? 8 : 0, in.type());
            assertEquals(0, in.code());
            assertEquals(id, in.echoId());
            assertEquals(seq, in.echoSequence());
            assertEquals((id << 16) | seq, in.restOfHeader());
            assertEquals(offset + 8, in.payloadOffset());
            assertEquals(dataLength, in.payloadLength());
            assertEquals(Reference.sum(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), offset, len, 0), 0xFFFF);
        }
    }

    @Example
    void icmpFragmentationNeeded() {
        MemorySegment seg = MemorySegment.ofArray(new byte[36]);
        IcmpPacket m = new IcmpPacket().wrap(seg, 0, 36).type(IcmpPacket.TYPE_DEST_UNREACHABLE)
                .code(IcmpPacket.CODE_FRAGMENTATION_NEEDED).nextHopMtu(1280).fillChecksum();
        assertEquals(IcmpPacket.Check.OK, m.validate());
        assertEquals(1280, m.nextHopMtu());
        assertEquals(1280, m.restOfHeader());
        m.code(0);
        assertEquals(IcmpPacket.Check.BAD_CHECKSUM, m.validate());
        assertEquals(IcmpPacket.Check.TRUNCATED, new IcmpPacket().wrap(seg, 0, 7).validate());
    }

    @Property(tries = 2000)
    void udpRoundTrip(@ForAll @IntRange(max = 0xFFFF) int sport, @ForAll @IntRange(max = 0xFFFF) int dport,
                      @ForAll @IntRange(max = 2000) int dataLength, @ForAll int src, @ForAll int dst,
                      @ForAll @IntRange(max = 255) int fill, @ForAll @IntRange(max = 20) int padding,
                      @ForAll @IntRange(max = 3) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            int len = 8 + dataLength;
            MemorySegment seg = arena.allocate(offset + len + padding);
            UdpDatagram out = new UdpDatagram().wrap(seg, offset, len).header(sport, dport, dataLength);
            for (int i = 0; i < dataLength; i++) {
                BigEndian.u8(seg, out.payloadOffset() + i, fill * i);
            }
            out.fillChecksum(src, dst);
            UdpDatagram in = new UdpDatagram().wrap(seg, offset, len + padding);
            assertEquals(UdpDatagram.Check.OK, in.validate(len + padding, src, dst));
            assertEquals(sport, in.srcPort());
            assertEquals(dport, in.dstPort());
            assertEquals(len, in.udpLength());
            assertEquals(dataLength, in.payloadLength());
            assertEquals(offset + 8, in.payloadOffset());
            assertTrue(in.hasChecksum(), "a computed checksum is never sent as 0");
            byte[] bytes = seg.asSlice(offset, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertTrue(Reference.udpChecksumOk(bytes, len, src, dst));
            // Another address changes the pseudo-header sum by 0x100: always caught.
            int otherDst = dst ^ 0x0100;
            assertNotEquals(UdpDatagram.Check.OK, in.validate(len, src, otherDst));
            // No checksum: anything goes.
            in.checksum(UdpDatagram.NO_CHECKSUM);
            assertEquals(UdpDatagram.Check.OK, in.validate(len, src, otherDst));
        }
    }

    @Example
    void udpComputedZeroIsSentAsAllOnes() {
        // Data chosen so that the sum is 0xFFFF: the checksum computes to 0 and must go out as 0xFFFF.
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        UdpDatagram u = new UdpDatagram().wrap(seg, 0, 10).header(0, 0, 2);
        int partial = nemesis.wire.Checksum.sum(seg, 0, 10, nemesis.wire.Checksum.pseudoHeaderSum(0, 0, 17, 10));
        BigEndian.u16(seg, 8, 0xFFFF - partial);
        u.fillChecksum(0, 0);
        assertEquals(0xFFFF, u.checksum());
        assertEquals(UdpDatagram.Check.OK, u.validate(10, 0, 0));
    }

    @Example
    void udpReasons() {
        MemorySegment seg = MemorySegment.ofArray(new byte[40]);
        UdpDatagram u = new UdpDatagram().wrap(seg, 0, 40).header(1, 2, 12).fillChecksum(5, 6);
        assertEquals(UdpDatagram.Check.OK, u.validate(20, 5, 6));
        assertEquals(UdpDatagram.Check.OK, u.validate(40, 5, 6), "bytes past Length are ignored");
        assertEquals(UdpDatagram.Check.TRUNCATED, u.validate(19, 5, 6));
        assertEquals(UdpDatagram.Check.TRUNCATED, u.validate(7, 5, 6));
        u.udpLength(7);
        assertEquals(UdpDatagram.Check.BAD_LENGTH, u.validate(20, 5, 6));
        u.udpLength(20);
        BigEndian.u8(seg, 10, 99);
        assertEquals(UdpDatagram.Check.BAD_CHECKSUM, u.validate(20, 5, 6));
        assertFalse(u.checksum() == 0);
    }
}

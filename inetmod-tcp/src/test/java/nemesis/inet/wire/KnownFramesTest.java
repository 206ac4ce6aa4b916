package nemesis.inet.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Address;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * Known frames, every layer: parse them, then build them again from their fields and get the
 * same bytes. The hex was produced once by this Python script, whose checksum is its own plain
 * RFC 1071 loop (not our code):
 *
 * <pre>
 * def csum(b):
 *     if len(b) % 2: b += b'\0'
 *     s = 0
 *     for i in range(0, len(b), 2):
 *         s += (b[i] &lt;&lt; 8) | b[i+1]; s = (s &amp; 0xffff) + (s &gt;&gt; 16)
 *     return ~s &amp; 0xffff
 * # IPv4 header: 0x45, tos 0, total, id, DF, ttl 64, proto, checksum over the 20 bytes
 * # UDP: checksum over pseudo-header (src, dst, 0, 17, len) + header + data
 * # ICMP: checksum over the whole message
 * # Ethernet: dst, src, 0x0800, payload, zero padding to 60 bytes
 * </pre>
 * It printed: UDP frame ip csum 0a87 udp csum 5c5b; ICMP frame ip csum f865 icmp csum b030.
 */
class KnownFramesTest {
    /** 02:00:00:00:00:01 → 02:00:00:00:00:02, 10.0.0.1:5001 → 10.0.0.2:5002 UDP "hi", padded to 60 bytes. */
    static final String UDP_FRAME = "02000000000202000000000108004500001e1c46400040110a870a0000010a000002"
            + "1389138a000a5c5b" + "6869" + "00000000000000000000000000000000";
    /** Ping 192.168.1.10 → 192.168.1.1, id 0x0d2a seq 1, 48 bytes of data: a timestamp, then 0x10..0x37. */
    static final String ICMP_FRAME = "52540012345602000000000108004500004cbeef40004001f865c0a8010ac0a80101"
            + "0800b0300d2a0001" + "5f6b1c6600000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    /** ARP request: who has 10.0.0.2? tell 10.0.0.1 (02:00:00:00:00:01), broadcast, padded. */
    static final String ARP_FRAME = "ffffffffffff0200000000010806" + "0001080006040001" + "020000000001" + "0a000001"
            + "000000000000" + "0a000002" + "000000000000000000000000000000000000";

    @Test
    void udpFrameParsesAndRebuildsByteForByte() {
        byte[] bytes = HexFormat.of().parseHex(UDP_FRAME);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame().wrap(seg, 0, bytes.length);
        assertEquals(EthernetFrame.Check.OK, eth.check());
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, eth.payloadOffset(), eth.payloadLength());
        assertEquals(Ipv4Packet.Check.OK, ip.validate());
        UdpDatagram udp = new UdpDatagram().wrap(seg, ip.payloadOffset(), ip.payloadLength());
        assertEquals(UdpDatagram.Check.OK, udp.validate(ip.payloadLength(), ip.src(), ip.dst()));
        assertEquals(5001, udp.srcPort());
        assertEquals(5002, udp.dstPort());
        assertEquals(10, udp.udpLength());
        assertEquals(0x5c5b, udp.checksum());
        assertEquals("hi", new String(seg.asSlice(udp.payloadOffset(), udp.payloadLength()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.US_ASCII));

        byte[] again = new byte[60];
        MemorySegment out = MemorySegment.ofArray(again);
        new EthernetFrame().wrap(out, 0, 60).dst(MacAddress.parse("02:00:00:00:00:02")).src(MacAddress.parse("02:00:00:00:00:01"))
                .etherType(EthernetFrame.ETHERTYPE_IPV4);
        int src = Ipv4Address.parse("10.0.0.1");
        int dst = Ipv4Address.parse("10.0.0.2");
        UdpDatagram u = new UdpDatagram().wrap(out, 34, 10).header(5001, 5002, 2);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 42, (byte) 'h');
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 43, (byte) 'i');
        u.fillChecksum(src, dst);
        new Ipv4Packet().wrap(out, 14, 30).headerLength(20).tos(0).totalLength(30).identification(0x1c46)
                .fragment(true, false, 0).ttl(64).protocol(Ipv4Packet.PROTO_UDP).src(src).dst(dst).fillChecksum();
        assertEquals(60, EthernetFrame.pad(out, 0, 44));
        assertArrayEquals(bytes, again);
    }

    @Test
    void icmpEchoParsesAndRebuildsByteForByte() {
        byte[] bytes = HexFormat.of().parseHex(ICMP_FRAME);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, 14, bytes.length - 14);
        assertEquals(Ipv4Packet.Check.OK, ip.validate());
        IcmpPacket icmp = new IcmpPacket().wrap(seg, ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpPacket.Check.OK, icmp.validate());
        assertEquals(IcmpPacket.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0x0d2a, icmp.echoId());
        assertEquals(1, icmp.echoSequence());
        assertEquals(0xb030, icmp.checksum());
        assertEquals(48, icmp.payloadLength());

        // The reply a host sends: swap addresses, type 0, same id/sequence/data; both checksums change.
        byte[] reply = bytes.clone();
        MemorySegment r = MemorySegment.ofArray(reply);
        Ipv4Packet rip = new Ipv4Packet().wrap(r, 14, reply.length - 14);
        rip.src(ip.dst()).dst(ip.src()).fillChecksum();
        IcmpPacket ricmp = new IcmpPacket().wrap(r, rip.payloadOffset(), rip.payloadLength()).type(IcmpPacket.TYPE_ECHO_REPLY).fillChecksum();
        assertEquals(IcmpPacket.Check.OK, ricmp.validate());
        // Type 8 → 0 lowers the first word by 0x0800, so the checksum rises by 0x0800 (RFC 1624).
        assertEquals(0xb030 + 0x0800, ricmp.checksum());
        assertEquals(Ipv4Packet.Check.OK, rip.validate());

        // Rebuild the request from its fields.
        byte[] again = new byte[bytes.length];
        MemorySegment out = MemorySegment.ofArray(again);
        new EthernetFrame().wrap(out, 0, again.length).dst(MacAddress.parse("52:54:00:12:34:56"))
                .src(MacAddress.parse("02:00:00:00:00:01")).etherType(EthernetFrame.ETHERTYPE_IPV4);
        MemorySegment.copy(seg, icmp.payloadOffset(), out, icmp.payloadOffset(), 48);
        new IcmpPacket().wrap(out, 34, 56).type(8).code(0).echoId(0x0d2a).echoSequence(1).fillChecksum();
        new Ipv4Packet().wrap(out, 14, 76).headerLength(20).tos(0).totalLength(76).identification(0xbeef)
                .fragment(true, false, 0).ttl(64).protocol(Ipv4Packet.PROTO_ICMP)
                .src(Ipv4Address.parse("192.168.1.10")).dst(Ipv4Address.parse("192.168.1.1")).fillChecksum();
        assertArrayEquals(bytes, again);
    }

    @Test
    void arpRequestParsesAndRebuildsByteForByte() {
        byte[] bytes = HexFormat.of().parseHex(ARP_FRAME);
        assertEquals(60, bytes.length);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame().wrap(seg, 0, bytes.length);
        assertEquals(EthernetFrame.ETHERTYPE_ARP, eth.etherType());
        assertEquals(MacAddress.BROADCAST, eth.dst());
        ArpPacket arp = new ArpPacket().wrap(seg, eth.payloadOffset(), eth.payloadLength());
        assertEquals(ArpPacket.Check.OK, arp.validate());
        assertEquals(ArpPacket.OP_REQUEST, arp.operation());
        assertEquals("02:00:00:00:00:01", MacAddress.toString(arp.senderMac()));
        assertEquals("10.0.0.1", Ipv4Address.toString(arp.senderIp()));
        assertEquals("10.0.0.2", Ipv4Address.toString(arp.targetIp()));

        byte[] again = new byte[60];
        MemorySegment out = MemorySegment.ofArray(again);
        new EthernetFrame().wrap(out, 0, 60).dst(MacAddress.BROADCAST).src(arp.senderMac()).etherType(EthernetFrame.ETHERTYPE_ARP);
        new ArpPacket().wrap(out, 14, 28).request(arp.senderMac(), arp.senderIp(), arp.targetIp());
        assertArrayEquals(bytes, again);
    }
}

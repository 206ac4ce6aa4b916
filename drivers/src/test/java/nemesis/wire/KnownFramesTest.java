package nemesis.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Frames built byte by byte, with checksums computed by an independent RFC 1071 loop in Python
 * (see the inetmod-tcp KnownFramesTest for the script): parse them, and build them again from
 * their fields.
 */
class KnownFramesTest {
    /** 02:00:00:00:00:01 → 02:00:00:00:00:02, 10.0.0.1:5001 → 10.0.0.2:5002 UDP "hi", padded to 60 bytes. */
    static final String UDP_FRAME = "020000000002020000000001080045000"
            + "01e1c46400040110a870a0000010a0000021389138a000a5c5b686900000000000000000000000000000000";
    /** Linux-style ping 192.168.1.10 → 192.168.1.1, id 0x0d2a seq 1, 48 bytes of data. */
    static final String ICMP_FRAME = "52540012345602000000000108004500004cbeef40004001f865c0a8010ac0a801010800b0300d2a0001"
            + "5f6b1c6600000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    @Test
    void udpFrame() {
        byte[] bytes = HexFormat.of().parseHex(UDP_FRAME);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame().wrap(seg, 0, bytes.length);
        assertEquals(EthernetFrame.Check.OK, eth.check());
        assertEquals(MacAddress.parse("02:00:00:00:00:02"), eth.dst());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), eth.src());
        assertEquals(EthernetFrame.ETHERTYPE_IPV4, eth.etherType());
        assertEquals(46, eth.payloadLength());

        Ipv4Packet ip = new Ipv4Packet().wrap(seg, eth.payloadOffset(), eth.payloadLength());
        assertEquals(Ipv4Packet.Check.OK, ip.validate());
        assertEquals(30, ip.totalLength());
        assertEquals(10, ip.payloadLength(), "the Ethernet padding is not payload");
        assertEquals(0x1c46, ip.identification());
        assertEquals(true, ip.dontFragment());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(Ipv4Packet.PROTO_UDP, ip.protocol());
        assertEquals(0x0a87, ip.headerChecksum());
        assertEquals(Ipv4Address.parse("10.0.0.1"), ip.src());
        assertEquals(Ipv4Address.parse("10.0.0.2"), ip.dst());
        long ports = TransportPorts.ports(ip);
        assertEquals(5001, TransportPorts.srcPortOf(ports));
        assertEquals(5002, TransportPorts.dstPortOf(ports));

        byte[] again = new byte[bytes.length];
        MemorySegment out = MemorySegment.ofArray(again);
        new EthernetFrame().wrap(out, 0, 60).dst(eth.dst()).src(eth.src()).etherType(EthernetFrame.ETHERTYPE_IPV4);
        MemorySegment.copy(seg, 34, out, 34, 10);   // the UDP datagram is inetmod-tcp's
        new Ipv4Packet().wrap(out, 14, 30).headerLength(20).tos(0).totalLength(30).identification(0x1c46)
                .fragment(true, false, 0).ttl(64).protocol(17).src(ip.src()).dst(ip.dst()).fillChecksum();
        assertArrayEquals(bytes, again);
    }

    @Test
    void icmpFrame() {
        byte[] bytes = HexFormat.of().parseHex(ICMP_FRAME);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame().wrap(seg, 0, bytes.length);
        assertEquals(EthernetFrame.Check.OK, eth.check());
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, eth.payloadOffset(), eth.payloadLength());
        assertEquals(Ipv4Packet.Check.OK, ip.validate());
        assertEquals(0xf865, ip.headerChecksum());
        assertEquals(Ipv4Packet.PROTO_ICMP, ip.protocol());
        assertEquals("192.168.1.10", Ipv4Address.toString(ip.src()));
        assertEquals("192.168.1.1", Ipv4Address.toString(ip.dst()));
        assertEquals(56, ip.payloadLength());
        assertEquals(TransportPorts.NONE, TransportPorts.ports(ip));
        // The ICMP checksum (0xb030) covers the whole message: it verifies with this module's code too.
        assertEquals(true, Checksum.isValid(seg, ip.payloadOffset(), ip.payloadLength(), 0));
        assertEquals(0xb030, BigEndian.u16(seg, ip.payloadOffset() + 2));
    }
}

package nemesis.drivers.tap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/** Frames built by hand for the TAP tests: ARP, ICMP echo, UDP, with valid checksums. */
final class TapFrames {
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private TapFrames() {
    }

    /** An ARP request "who has {@code targetIp}? tell {@code senderIp}", broadcast: 42 bytes. */
    static int arpRequest(MemorySegment m, long senderMac, int senderIp, int targetIp) {
        new EthernetFrame().wrap(m, 0, 14).dst(BROADCAST).src(senderMac).etherType(EthernetFrame.ETHERTYPE_ARP);
        BigEndian.u16(m, 14, 1); // Ethernet
        BigEndian.u16(m, 16, EthernetFrame.ETHERTYPE_IPV4);
        BigEndian.u8(m, 18, 6);
        BigEndian.u8(m, 19, 4);
        BigEndian.u16(m, 20, 1); // request
        BigEndian.u48(m, 22, senderMac);
        BigEndian.i32(m, 28, senderIp);
        BigEndian.u48(m, 32, 0);
        BigEndian.i32(m, 38, targetIp);
        return 42;
    }

    static boolean isArpReply(MemorySegment m, int len) {
        return len >= 42 && BigEndian.u16(m, 12) == EthernetFrame.ETHERTYPE_ARP && BigEndian.u16(m, 20) == 2;
    }

    static long arpSenderMac(MemorySegment m) {
        return BigEndian.u48(m, 22);
    }

    static int arpSenderIp(MemorySegment m) {
        return BigEndian.i32(m, 28);
    }

    /** Ethernet + IPv4 header (no options, DF) for {@code payload} bytes of {@code protocol}; returns 34. */
    static int ipv4(MemorySegment m, long srcMac, long dstMac, int srcIp, int dstIp, int protocol, int payload,
                    int id) {
        new EthernetFrame().wrap(m, 0, 14).dst(dstMac).src(srcMac).etherType(EthernetFrame.ETHERTYPE_IPV4);
        BigEndian.u8(m, 14, 0x45);
        BigEndian.u8(m, 15, 0);
        new Ipv4Packet().wrap(m, 14, 20).totalLength(20 + payload).identification(id & 0xFFFF)
                .flagsAndFragmentOffset(Ipv4Packet.FLAG_DF).ttl(64).protocol(protocol).src(srcIp).dst(dstIp)
                .fillChecksum();
        return 34;
    }

    /** An ICMP echo request with {@code data} bytes of pattern; returns the frame's length. */
    static int icmpEcho(MemorySegment m, long srcMac, long dstMac, int srcIp, int dstIp, int ident, int seq,
                        int data) {
        int o = ipv4(m, srcMac, dstMac, srcIp, dstIp, Ipv4Packet.PROTO_ICMP, 8 + data, seq);
        BigEndian.u8(m, o, 8);
        BigEndian.u8(m, o + 1, 0);
        BigEndian.u16(m, o + 2, 0);
        BigEndian.u16(m, o + 4, ident);
        BigEndian.u16(m, o + 6, seq);
        for (int i = 0; i < data; i++) {
            m.set(ValueLayout.JAVA_BYTE, o + 8 + i, (byte) (seq * 7 + i));
        }
        BigEndian.u16(m, o + 2, Checksum.compute(m, o, 8 + data));
        return o + 8 + data;
    }

    /** A UDP datagram of {@code data} bytes with a valid checksum; returns the frame's length. */
    static int udp(MemorySegment m, long srcMac, long dstMac, int srcIp, int dstIp, int sport, int dport, int data,
                   int id) {
        int o = ipv4(m, srcMac, dstMac, srcIp, dstIp, Ipv4Packet.PROTO_UDP, 8 + data, id);
        BigEndian.u16(m, o, sport);
        BigEndian.u16(m, o + 2, dport);
        BigEndian.u16(m, o + 4, 8 + data);
        BigEndian.u16(m, o + 6, 0);
        for (int i = 0; i < data; i++) {
            m.set(ValueLayout.JAVA_BYTE, o + 8 + i, (byte) (id + i));
        }
        int sum = Checksum.compute(m, o, 8 + data, Checksum.pseudoHeaderSum(srcIp, dstIp, 17, 8 + data));
        BigEndian.u16(m, o + 6, sum == 0 ? 0xFFFF : sum);
        return o + 8 + data;
    }

    static boolean isIpv4(MemorySegment m, int len) {
        return len >= 34 && BigEndian.u16(m, 12) == EthernetFrame.ETHERTYPE_IPV4;
    }

    static int ipProtocol(MemorySegment m) {
        return BigEndian.u8(m, 23);
    }

    static int ipId(MemorySegment m) {
        return BigEndian.u16(m, 18);
    }

    /** Whether the IPv4 header checksum and (for ICMP, UDP) the payload checksum are both right. */
    static boolean checksumsValid(MemorySegment m, int len) {
        int ihl = (BigEndian.u8(m, 14) & 0xF) * 4;
        if (ihl < 20 || 14 + ihl > len || !Checksum.isValid(m, 14, ihl, 0)) {
            return false;
        }
        int total = BigEndian.u16(m, 16);
        if (total < ihl || 14 + total > len) {
            return false;
        }
        int o = 14 + ihl;
        int plen = total - ihl;
        int proto = ipProtocol(m);
        if (proto == Ipv4Packet.PROTO_ICMP) {
            return Checksum.isValid(m, o, plen, 0);
        }
        if (proto == Ipv4Packet.PROTO_UDP) {
            return BigEndian.u16(m, o + 6) == 0
                    || Checksum.isValid(m, o, plen, Checksum.pseudoHeaderSum(BigEndian.i32(m, 26), BigEndian.i32(m, 30), 17, plen));
        }
        return true;
    }
}

package nemesis.drivers;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;
import nemesis.wire.TransportPorts;

/**
 * The transmit filter of one channel (digest §4, {@code PF$CopyApply}): the client's header record
 * is copied into driver memory and checked there against the template the flow manager
 * installed — source MAC, ethertype, IP protocol, source IP, source port — so a client can neither
 * spoof another's traffic nor change its header after the check. Non-first IP fragments carry no
 * ports; they pass only if they belong to a datagram whose first fragment passed.
 */
public final class TransmitFilter {
    /** The most header bytes the driver copies (the release's MAX_HEADER_LEN). */
    public static final int MAX_HEADER = 128;
    private static final int RECENT_FRAGMENTED = 8;

    public enum Verdict {
        PASS, NO_TEMPLATE, SHORT_HEADER, LONG_HEADER, WRONG_SOURCE_MAC, WRONG_ETHERTYPE, BAD_IP_HEADER,
        WRONG_PROTOCOL, WRONG_SOURCE_IP, WRONG_SOURCE_PORT, UNKNOWN_FRAGMENT, WRONG_ARP_SENDER
    }

    /**
     * What a channel may send.
     *
     * @param etherType  {@code 0x0800} (IPv4) or {@code 0x0806} (ARP: only the sender MAC and IP are checked)
     * @param ipProtocol the IP protocol number (IPv4), or -1 for any (only the flow manager's default
     *                   channel, which answers for every protocol, gets such a template)
     * @param srcPort    the source port (TCP, UDP) or echo identifier (ICMP), or -1 for any
     */
    public record Template(long srcMac, int etherType, int ipProtocol, int srcIp, int srcPort) {
        public static Template arp(long mac, int ip) {
            return new Template(mac, EthernetFrame.ETHERTYPE_ARP, -1, ip, -1);
        }

        public static Template ipv4(long mac, int protocol, int ip, int port) {
            return new Template(mac, EthernetFrame.ETHERTYPE_IPV4, protocol, ip, port);
        }
    }

    private Template template;
    private final Ipv4Packet ip = new Ipv4Packet();
    /** (protocol, id) of the last datagrams whose first fragment passed: their other fragments may go. */
    private final int[] fragmentKeys = new int[RECENT_FRAGMENTED];
    private int fragmentNext;

    public void template(Template t) {
        this.template = t;
    }

    public Template template() {
        return template;
    }

    /**
     * Copies {@code len} header bytes from the client's memory to {@code dst} (driver memory) and
     * checks the copy.
     */
    public Verdict copyAndCheck(MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        Template t = template;
        if (t == null) {
            return Verdict.NO_TEMPLATE;
        }
        if (len < EthernetFrame.HEADER_LEN) {
            return Verdict.SHORT_HEADER;
        }
        if (len > MAX_HEADER) {
            return Verdict.LONG_HEADER;
        }
        MemorySegment.copy(src, srcOff, dst, dstOff, len);
        if (macAt(dst, dstOff + EthernetFrame.SRC_OFFSET) != t.srcMac) {
            return Verdict.WRONG_SOURCE_MAC;
        }
        int etherType = BigEndian.u16(dst, dstOff + EthernetFrame.ETHERTYPE_OFFSET);
        if (etherType != t.etherType) {
            return Verdict.WRONG_ETHERTYPE;
        }
        long l3 = dstOff + EthernetFrame.HEADER_LEN;
        int l3len = len - EthernetFrame.HEADER_LEN;
        if (etherType == EthernetFrame.ETHERTYPE_ARP) {
            // ARP for Ethernet/IPv4: sender hardware address at 8, sender protocol address at 14.
            if (l3len < 28 || macAt(dst, l3 + 8) != t.srcMac || BigEndian.i32(dst, l3 + 14) != t.srcIp) {
                return Verdict.WRONG_ARP_SENDER;
            }
            return Verdict.PASS;
        }
        ip.wrap(dst, l3, l3len);
        // The header must be whole in the copied record. Total Length covers the payload records
        // too, which the filter does not see: it is only checked to cover the header.
        if (l3len < Ipv4Packet.MIN_HEADER_LEN || ip.version() != Ipv4Packet.VERSION
                || ip.headerLength() < Ipv4Packet.MIN_HEADER_LEN || ip.headerLength() > l3len
                || ip.totalLength() < ip.headerLength()) {
            return Verdict.BAD_IP_HEADER;
        }
        if (t.ipProtocol >= 0 && ip.protocol() != t.ipProtocol) {
            return Verdict.WRONG_PROTOCOL;
        }
        if (ip.src() != t.srcIp) {
            return Verdict.WRONG_SOURCE_IP;
        }
        int key = ip.protocol() << 16 | ip.identification();
        if (ip.fragmentOffset() > 0) {
            for (int k : fragmentKeys) {
                if (k == key) {
                    return Verdict.PASS;
                }
            }
            return Verdict.UNKNOWN_FRAGMENT;
        }
        if (t.srcPort >= 0) {
            long l4 = l3 + ip.headerLength();
            int l4len = l3len - ip.headerLength();
            int port = ip.protocol() == Ipv4Packet.PROTO_ICMP
                    ? (l4len >= 6 ? BigEndian.u16(dst, l4 + 4) : -1)
                    : TransportPorts.srcPort(dst, l4, l4len);
            if (port != t.srcPort) {
                return Verdict.WRONG_SOURCE_PORT;
            }
        }
        if (ip.moreFragments()) {
            fragmentKeys[fragmentNext] = key;
            fragmentNext = (fragmentNext + 1) % RECENT_FRAGMENTED;
        }
        return Verdict.PASS;
    }

    static long macAt(MemorySegment s, long off) {
        return (long) BigEndian.u16(s, off) << 32 | (BigEndian.i32(s, off + 2) & 0xFFFF_FFFFL);
    }
}

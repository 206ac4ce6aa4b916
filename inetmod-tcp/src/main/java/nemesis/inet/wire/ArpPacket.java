package nemesis.inet.wire;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Flyweight;

/**
 * A flyweight over an ARP packet for IPv4 over Ethernet (RFC 826), the only kind we speak:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Hardware type (1)        |     Protocol type (0x0800)    |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   HLEN (6)    |   PLEN (4)    |   Operation (1 req, 2 reply)  |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Sender hardware address (SHA)                 |  8
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               | Sender protocol address (SPA) | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                               |                               | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                 Target hardware address (THA)                 | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Target protocol address (TPA)                 | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Use: {@link #wrap}, {@link #validate()}, read fields only after {@link Check#OK} (accessors do
 * not check again). Build with {@link #request} or {@link #reply}, or the field setters.
 * Mutable and reusable; allocates nothing.
 */
public final class ArpPacket extends Flyweight<ArpPacket> {
    public static final int HTYPE_OFFSET = 0;
    public static final int PTYPE_OFFSET = 2;
    public static final int HLEN_OFFSET = 4;
    public static final int PLEN_OFFSET = 5;
    public static final int OPER_OFFSET = 6;
    public static final int SHA_OFFSET = 8;
    public static final int SPA_OFFSET = 14;
    public static final int THA_OFFSET = 18;
    public static final int TPA_OFFSET = 24;
    /** An Ethernet/IPv4 ARP packet (padded to the minimum frame by Ethernet). */
    public static final int LENGTH = 28;

    /** Hardware type Ethernet (RFC 826; IANA "ARP parameters"). */
    public static final int HTYPE_ETHERNET = 1;
    public static final int PTYPE_IPV4 = EthernetFrame.ETHERTYPE_IPV4;
    public static final int HLEN_ETHERNET = 6;
    public static final int PLEN_IPV4 = 4;
    /** ares_op$REQUEST (RFC 826). */
    public static final int OP_REQUEST = 1;
    /** ares_op$REPLY (RFC 826). */
    public static final int OP_REPLY = 2;

    /** What {@link #validate} found, first failure wins in this order. */
    public enum Check {
        OK,
        /** Fewer than 28 bytes. */
        TRUNCATED,
        /** Not Ethernet hardware addresses (hardware type ≠ 1 or length ≠ 6). */
        UNSUPPORTED_HARDWARE,
        /** Not IPv4 protocol addresses (protocol type ≠ 0x0800 or length ≠ 4). */
        UNSUPPORTED_PROTOCOL,
        /** Neither request nor reply (RARP and InARP are not ours). */
        BAD_OPERATION
    }

    /** Whether the fields may be read. Bytes after the 28 (Ethernet padding) are ignored. */
    public Check validate() {
        if (length < LENGTH) {
            return Check.TRUNCATED;
        }
        if (hardwareType() != HTYPE_ETHERNET || hardwareLength() != HLEN_ETHERNET) {
            return Check.UNSUPPORTED_HARDWARE;
        }
        if (protocolType() != PTYPE_IPV4 || protocolLength() != PLEN_IPV4) {
            return Check.UNSUPPORTED_PROTOCOL;
        }
        int op = operation();
        if (op != OP_REQUEST && op != OP_REPLY) {
            return Check.BAD_OPERATION;
        }
        return Check.OK;
    }

    public int hardwareType() {
        return BigEndian.u16(seg, offset + HTYPE_OFFSET);
    }

    public int protocolType() {
        return BigEndian.u16(seg, offset + PTYPE_OFFSET);
    }

    public int hardwareLength() {
        return BigEndian.u8(seg, offset + HLEN_OFFSET);
    }

    public int protocolLength() {
        return BigEndian.u8(seg, offset + PLEN_OFFSET);
    }

    /** Writes the four fixed fields for Ethernet/IPv4. */
    public ArpPacket ethernetIpv4() {
        BigEndian.u16(seg, offset + HTYPE_OFFSET, HTYPE_ETHERNET);
        BigEndian.u16(seg, offset + PTYPE_OFFSET, PTYPE_IPV4);
        BigEndian.u8(seg, offset + HLEN_OFFSET, HLEN_ETHERNET);
        BigEndian.u8(seg, offset + PLEN_OFFSET, PLEN_IPV4);
        return this;
    }

    public int operation() {
        return BigEndian.u16(seg, offset + OPER_OFFSET);
    }

    public ArpPacket operation(int op) {
        BigEndian.u16(seg, offset + OPER_OFFSET, op);
        return this;
    }

    public boolean isRequest() {
        return operation() == OP_REQUEST;
    }

    public boolean isReply() {
        return operation() == OP_REPLY;
    }

    public long senderMac() {
        return BigEndian.u48(seg, offset + SHA_OFFSET);
    }

    public ArpPacket senderMac(long mac) {
        BigEndian.u48(seg, offset + SHA_OFFSET, mac);
        return this;
    }

    public int senderIp() {
        return BigEndian.i32(seg, offset + SPA_OFFSET);
    }

    public ArpPacket senderIp(int ip) {
        BigEndian.i32(seg, offset + SPA_OFFSET, ip);
        return this;
    }

    public long targetMac() {
        return BigEndian.u48(seg, offset + THA_OFFSET);
    }

    public ArpPacket targetMac(long mac) {
        BigEndian.u48(seg, offset + THA_OFFSET, mac);
        return this;
    }

    public int targetIp() {
        return BigEndian.i32(seg, offset + TPA_OFFSET);
    }

    public ArpPacket targetIp(int ip) {
        BigEndian.i32(seg, offset + TPA_OFFSET, ip);
        return this;
    }

    /** A request "who has {@code targetIp}? tell {@code senderIp}"; the target MAC is zero (RFC 826 says "don't care"). */
    public ArpPacket request(long senderMac, int senderIp, int targetIp) {
        return ethernetIpv4().operation(OP_REQUEST)
                .senderMac(senderMac).senderIp(senderIp).targetMac(0).targetIp(targetIp);
    }

    /** A reply "{@code senderIp} is at {@code senderMac}", addressed to the requester. */
    public ArpPacket reply(long senderMac, int senderIp, long targetMac, int targetIp) {
        return ethernetIpv4().operation(OP_REPLY)
                .senderMac(senderMac).senderIp(senderIp).targetMac(targetMac).targetIp(targetIp);
    }

    /** A gratuitous ARP (RFC 5227 §3 announcement): a request for our own address. */
    public boolean isGratuitous() {
        return senderIp() == targetIp();
    }
}

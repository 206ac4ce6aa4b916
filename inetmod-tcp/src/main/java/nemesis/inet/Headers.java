package nemesis.inet;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * Writes the headers InetMod puts in front of a payload: Ethernet, IPv4 (with its checksum), and
 * the transport checksum over a header and a payload that may lie in different records (a
 * transmit buffer keeps headers and payload apart). Allocates nothing.
 */
public final class Headers {
    public static final int ETHERNET = EthernetFrame.HEADER_LEN;
    public static final int IPV4 = Ipv4Packet.MIN_HEADER_LEN;
    public static final int UDP = 8;
    public static final int ICMP = 8;

    private Headers() {
    }

    /** Ethernet header at {@code off}: 14 bytes. */
    public static void ethernet(MemorySegment m, long off, long dst, long src, int etherType) {
        BigEndian.u16(m, off, (int) (dst >>> 32));
        BigEndian.i32(m, off + 2, (int) dst);
        BigEndian.u16(m, off + 6, (int) (src >>> 32));
        BigEndian.i32(m, off + 8, (int) src);
        BigEndian.u16(m, off + 12, etherType);
    }

    /**
     * A 20-byte IPv4 header at {@code off} for {@code payloadLen} bytes of payload, checksum filled.
     *
     * @param flagsAndOffset the flags and fragment offset field (e.g. {@link Ipv4Packet#FLAG_DF}, or 0)
     */
    public static void ipv4(MemorySegment m, long off, int src, int dst, int protocol, int payloadLen, int id,
                            int ttl, int flagsAndOffset) {
        BigEndian.u8(m, off, 0x45);
        BigEndian.u8(m, off + 1, 0);
        BigEndian.u16(m, off + 2, IPV4 + payloadLen);
        BigEndian.u16(m, off + 4, id & 0xFFFF);
        BigEndian.u16(m, off + 6, flagsAndOffset);
        BigEndian.u8(m, off + 8, ttl);
        BigEndian.u8(m, off + 9, protocol);
        BigEndian.u16(m, off + 10, 0);
        BigEndian.i32(m, off + 12, src);
        BigEndian.i32(m, off + 16, dst);
        BigEndian.u16(m, off + 10, Checksum.compute(m, off, IPV4));
    }

    /**
     * The Internet checksum of a transport header ({@code hdrLen} bytes at {@code hdrOff}) followed
     * by a payload ({@code payLen} bytes at {@code payOff}, possibly elsewhere), with the IPv4
     * pseudo-header when {@code pseudo} (UDP, TCP; not ICMP). The header's length must be even.
     */
    public static int transportChecksum(MemorySegment m, long hdrOff, int hdrLen, MemorySegment pay, long payOff,
                                        int payLen, int src, int dst, int protocol, boolean pseudo) {
        int initial = pseudo ? Checksum.pseudoHeaderSum(src, dst, protocol, hdrLen + payLen) : 0;
        int sum = Checksum.sum(m, hdrOff, hdrLen, initial);
        if (payLen > 0) {
            sum = Checksum.sum(pay, payOff, payLen, sum);
        }
        return Checksum.finish(sum);
    }

    /** An 8-byte UDP header at {@code off}, checksum over it and the payload (0 becomes 0xFFFF, RFC 768). */
    public static void udp(MemorySegment m, long off, int sport, int dport, MemorySegment pay, long payOff,
                           int payLen, int src, int dst) {
        BigEndian.u16(m, off, sport);
        BigEndian.u16(m, off + 2, dport);
        BigEndian.u16(m, off + 4, UDP + payLen);
        BigEndian.u16(m, off + 6, 0);
        int c = transportChecksum(m, off, UDP, pay, payOff, payLen, src, dst, Ipv4Packet.PROTO_UDP, true);
        BigEndian.u16(m, off + 6, c == 0 ? 0xFFFF : c);
    }
}

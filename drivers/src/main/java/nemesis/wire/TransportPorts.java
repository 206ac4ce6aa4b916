package nemesis.wire;

import java.lang.foreign.MemorySegment;

/**
 * The two 16-bit ports at the start of a TCP or UDP header (RFC 793 §3.1, RFC 768), and no more:
 * all the driver's packet filters may know of the transport layer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Reads are checked against the bytes available and answer {@link #NONE} instead of throwing.
 * Only the first fragment of a fragmented datagram carries the ports; {@link #ports(Ipv4Packet)}
 * knows that.
 */
public final class TransportPorts {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    /** Bytes needed to read both ports. */
    public static final int LENGTH = 4;
    /** "No ports here": too short, not TCP/UDP, or a non-first fragment. Never a valid answer otherwise. */
    public static final int NONE = -1;

    private TransportPorts() {
    }

    /** The source port 0..65535 of the header at {@code offset}, or {@link #NONE} if fewer than 4 bytes are available. */
    public static int srcPort(MemorySegment seg, long offset, int available) {
        return available < LENGTH ? NONE : BigEndian.u16(seg, offset + SRC_PORT_OFFSET);
    }

    /** The destination port 0..65535, or {@link #NONE} if fewer than 4 bytes are available. */
    public static int dstPort(MemorySegment seg, long offset, int available) {
        return available < LENGTH ? NONE : BigEndian.u16(seg, offset + DST_PORT_OFFSET);
    }

    /**
     * Both ports in one read, source in the high half: {@code (src << 16) | dst} as an unsigned
     * value in a {@code long}, or {@link #NONE} if fewer than 4 bytes are available.
     */
    public static long ports(MemorySegment seg, long offset, int available) {
        return available < LENGTH ? NONE : seg.get(BigEndian.INT, offset) & 0xFFFF_FFFFL;
    }

    /** The source port of a {@link #ports} answer (not {@link #NONE}). */
    public static int srcPortOf(long ports) {
        return (int) (ports >>> 16);
    }

    /** The destination port of a {@link #ports} answer (not {@link #NONE}). */
    public static int dstPortOf(long ports) {
        return (int) (ports & 0xFFFF);
    }

    /** True for the protocols whose headers start with the two ports: TCP and UDP. */
    public static boolean hasPorts(int protocol) {
        return protocol == Ipv4Packet.PROTO_TCP || protocol == Ipv4Packet.PROTO_UDP;
    }

    /**
     * The ports of a datagram that {@link Ipv4Packet#validate} accepted, as {@link #ports}; {@link #NONE}
     * if it is not TCP or UDP, is a fragment other than the first, or its payload is shorter than 4 bytes.
     */
    public static long ports(Ipv4Packet ip) {
        if (!hasPorts(ip.protocol()) || ip.fragmentOffset() != 0) {
            return NONE;
        }
        return ports(ip.segment(), ip.payloadOffset(), ip.payloadLength());
    }
}

package nemesis.inet.wire;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.Flyweight;
import nemesis.wire.Ipv4Packet;

/**
 * A flyweight over a UDP datagram (RFC 768), the payload of an IPv4 datagram with protocol 17:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Data ...                              |  8
 * </pre>
 *
 * Length counts header and data. The checksum covers a pseudo-header (source and destination
 * address, protocol, UDP length), the header and the data; a transmitted 0 means "no checksum",
 * so a computed 0 is sent as 0xFFFF, its other ones' complement encoding (RFC 768).
 *
 * <p>Use: {@link #wrap} the IPv4 payload, {@link #validate(int, int, int)}, read fields only after
 * {@link Check#OK} (accessors do not check again). To build: {@link #header}, the data, then
 * {@link #fillChecksum(int, int)}. Mutable and reusable; allocates nothing.
 */
public final class UdpDatagram extends Flyweight<UdpDatagram> {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int HEADER_LEN = 8;
    /** Largest payload in one IPv4 datagram with a 20-byte header: 65535 − 20 − 8. */
    public static final int MAX_PAYLOAD = Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LEN - HEADER_LEN;
    /** A transmitted checksum of 0: the sender computed none (RFC 768). */
    public static final int NO_CHECKSUM = 0;

    /** What {@link #validate} found, first failure wins in this order. */
    public enum Check {
        OK,
        /** Fewer than 8 bytes, or fewer than Length says. */
        TRUNCATED,
        /** Length below the 8-byte header. */
        BAD_LENGTH,
        /** A checksum is present and does not verify. */
        BAD_CHECKSUM
    }

    /**
     * Whether the fields may be read: 8 ≤ Length ≤ the bytes available (bytes past Length are
     * ignored, as BSD's {@code udp_input} trims them), and the checksum, unless it is 0, verifies
     * with the pseudo-header of {@code src} and {@code dst}.
     *
     * @param availableBytes the IPv4 payload length; more than the wrapped length counts as the wrapped length
     */
    public Check validate(int availableBytes, int src, int dst) {
        int avail = Math.min(availableBytes, length);
        if (avail < HEADER_LEN) {
            return Check.TRUNCATED;
        }
        int len = udpLength();
        if (len < HEADER_LEN) {
            return Check.BAD_LENGTH;
        }
        if (len > avail) {
            return Check.TRUNCATED;
        }
        if (checksum() != NO_CHECKSUM
                && !Checksum.isValid(seg, offset, len, Checksum.pseudoHeaderSum(src, dst, Ipv4Packet.PROTO_UDP, len))) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public int srcPort() {
        return BigEndian.u16(seg, offset + SRC_PORT_OFFSET);
    }

    public UdpDatagram srcPort(int port) {
        BigEndian.u16(seg, offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return BigEndian.u16(seg, offset + DST_PORT_OFFSET);
    }

    public UdpDatagram dstPort(int port) {
        BigEndian.u16(seg, offset + DST_PORT_OFFSET, port);
        return this;
    }

    /** The Length field: header plus data. */
    public int udpLength() {
        return BigEndian.u16(seg, offset + LENGTH_OFFSET);
    }

    public UdpDatagram udpLength(int bytes) {
        BigEndian.u16(seg, offset + LENGTH_OFFSET, bytes);
        return this;
    }

    public int checksum() {
        return BigEndian.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public UdpDatagram checksum(int checksum) {
        BigEndian.u16(seg, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public boolean hasChecksum() {
        return checksum() != NO_CHECKSUM;
    }

    /** Writes the ports and Length for {@code payloadLength} bytes of data, and a zero checksum. */
    public UdpDatagram header(int srcPort, int dstPort, int payloadLength) {
        if (payloadLength < 0 || payloadLength > 0xFFFF - HEADER_LEN) {
            throw new IllegalArgumentException("UDP payload must be 0.." + (0xFFFF - HEADER_LEN) + " bytes: " + payloadLength);
        }
        return srcPort(srcPort).dstPort(dstPort).udpLength(HEADER_LEN + payloadLength).checksum(0);
    }

    /** Computes and writes the checksum over Length bytes and the pseudo-header; 0 is sent as 0xFFFF. */
    public UdpDatagram fillChecksum(int src, int dst) {
        int len = udpLength();
        checksum(0);
        int c = Checksum.compute(seg, offset, len, Checksum.pseudoHeaderSum(src, dst, Ipv4Packet.PROTO_UDP, len));
        return checksum(c == 0 ? 0xFFFF : c);
    }

    /** Where the data starts, as an offset in {@link #segment()}. */
    public long payloadOffset() {
        return offset + HEADER_LEN;
    }

    /** Length − 8. */
    public int payloadLength() {
        return udpLength() - HEADER_LEN;
    }
}

package nemesis.inet.wire;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.Flyweight;

/**
 * A flyweight over an ICMP message (RFC 792), the payload of an IPv4 datagram with protocol 1:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Identifier (echo)         |   Sequence Number (echo)      |  4
 * |  ... or unused / next-hop MTU (RFC 1191) / pointer, by type   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data: echo payload, or the offending IP header + 8 bytes  |  8
 * </pre>
 *
 * The checksum covers the whole message, data included (RFC 792). The message is the wrapped
 * range: wrap exactly the IPv4 payload ({@code Ipv4Packet.payloadOffset/payloadLength}).
 *
 * <p>Use: {@link #wrap}, {@link #validate()}, read fields only after {@link Check#OK} (accessors
 * do not check again). To build: set the fields and data, then {@link #fillChecksum()}.
 * Mutable and reusable; allocates nothing.
 */
public final class IcmpPacket extends Flyweight<IcmpPacket> {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int ECHO_ID_OFFSET = 4;
    public static final int ECHO_SEQUENCE_OFFSET = 6;
    /** Type, code, checksum and the 4-byte rest of header: every ICMP message has them. */
    public static final int HEADER_LEN = 8;

    /** Types (RFC 792). */
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    /** Destination unreachable codes (RFC 792; 4 with the next-hop MTU per RFC 1191 §4). */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Time exceeded codes (RFC 792). */
    public static final int CODE_TTL_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /** What {@link #validate} found, first failure wins in this order. */
    public enum Check {
        OK,
        /** Fewer than 8 bytes. */
        TRUNCATED,
        /** The checksum over the message does not verify. */
        BAD_CHECKSUM
    }

    /** Whether the fields may be read: 8 bytes at least and a checksum that verifies over all of them. */
    public Check validate() {
        if (length < HEADER_LEN) {
            return Check.TRUNCATED;
        }
        if (!Checksum.isValid(seg, offset, length, 0)) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public int type() {
        return BigEndian.u8(seg, offset + TYPE_OFFSET);
    }

    public IcmpPacket type(int type) {
        BigEndian.u8(seg, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return BigEndian.u8(seg, offset + CODE_OFFSET);
    }

    public IcmpPacket code(int code) {
        BigEndian.u8(seg, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return BigEndian.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public IcmpPacket checksum(int checksum) {
        BigEndian.u16(seg, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The four bytes after the checksum, whose meaning depends on the type. */
    public int restOfHeader() {
        return BigEndian.i32(seg, offset + REST_OFFSET);
    }

    public IcmpPacket restOfHeader(int value) {
        BigEndian.i32(seg, offset + REST_OFFSET, value);
        return this;
    }

    public int echoId() {
        return BigEndian.u16(seg, offset + ECHO_ID_OFFSET);
    }

    public IcmpPacket echoId(int id) {
        BigEndian.u16(seg, offset + ECHO_ID_OFFSET, id);
        return this;
    }

    public int echoSequence() {
        return BigEndian.u16(seg, offset + ECHO_SEQUENCE_OFFSET);
    }

    public IcmpPacket echoSequence(int sequence) {
        BigEndian.u16(seg, offset + ECHO_SEQUENCE_OFFSET, sequence);
        return this;
    }

    /** Next-hop MTU of a "fragmentation needed" message: the low half of the rest of header (RFC 1191 §4). */
    public int nextHopMtu() {
        return BigEndian.u16(seg, offset + REST_OFFSET + 2);
    }

    public IcmpPacket nextHopMtu(int mtu) {
        BigEndian.u16(seg, offset + REST_OFFSET, 0);
        BigEndian.u16(seg, offset + REST_OFFSET + 2, mtu);
        return this;
    }

    /** Where the data starts, as an offset in {@link #segment()}. */
    public long payloadOffset() {
        return offset + HEADER_LEN;
    }

    public int payloadLength() {
        return length - HEADER_LEN;
    }

    /** Computes and writes the checksum over the whole wrapped message. Call after the last change. */
    public IcmpPacket fillChecksum() {
        checksum(0);
        return checksum(Checksum.compute(seg, offset, length));
    }
}

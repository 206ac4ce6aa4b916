package nemesis.wire;

import java.lang.foreign.MemorySegment;

/**
 * A flyweight over an IPv4 datagram (RFC 791 §3.1):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |0|D|M|      Fragment Offset    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)          |    Padding    | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Payload (Total Length − 4·IHL)              |
 * </pre>
 *
 * DSCP/ECN replace the old type of service octet (RFC 2474, RFC 3168); D is Don't Fragment, M
 * More Fragments; the fragment offset counts 8-byte units (this class speaks bytes).
 *
 * <p>Use: {@link #wrap} the bytes received (they may run past the datagram: Ethernet pads short
 * frames), {@link #validate(int)}, and read fields only after it said {@link Check#OK}. Accessors
 * do not check again: after a failed check they return garbage or throw
 * {@link IndexOutOfBoundsException}. The payload is bounded by Total Length, not by the buffer.
 *
 * <p>To build: wrap a buffer, set every field (the setters write only their own bits), then
 * {@link #fillChecksum()} last. Mutable and reusable; allocates nothing.
 */
public final class Ipv4Packet extends Flyweight<Ipv4Packet> {
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;

    /** Header without options (IHL 5). */
    public static final int MIN_HEADER_LEN = 20;
    /** Header with 40 bytes of options (IHL 15). */
    public static final int MAX_HEADER_LEN = 60;
    /** Total Length is 16 bits. */
    public static final int MAX_TOTAL_LENGTH = 65535;
    /** The datagram every host must accept whole, and every link must carry unfragmented (RFC 791 §3.1, RFC 1122 §3.3.2). */
    public static final int MIN_MTU = 68;
    public static final int VERSION = 4;

    /** Flag bits in the 16-bit flags/fragment-offset field. */
    public static final int FLAG_RESERVED = 0x8000;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** A sensible TTL for datagrams we originate (RFC 1700 "Assigned Numbers" recommends 64). */
    public static final int DEFAULT_TTL = 64;

    /** Protocol numbers (RFC 790, now the IANA registry). */
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    /** What {@link #validate} found, first failure wins in this order. */
    public enum Check {
        OK,
        /** Fewer bytes than the header, or than Total Length says (BSD {@code ips_toosmall}, {@code ips_tooshort}). */
        TRUNCATED,
        /** Version is not 4. */
        BAD_VERSION,
        /** IHL below 5 (BSD {@code ips_badhlen}). */
        BAD_HEADER_LENGTH,
        /** Total Length smaller than the header (BSD {@code ips_badlen}). */
        BAD_TOTAL_LENGTH,
        /** The header checksum does not verify (BSD {@code ips_badsum}). */
        BAD_CHECKSUM
    }

    /** {@link #validate(int)} over the whole wrapped range. */
    public Check validate() {
        return validate(length);
    }

    /**
     * Whether the fields may be read: version 4, 5 ≤ IHL, header ≤ Total Length ≤ the bytes
     * available, and a header checksum that verifies. Reads nothing past the wrapped range:
     * {@code availableBytes} above the wrapped length counts as the wrapped length.
     */
    public Check validate(int availableBytes) {
        Check c = validateHeader(availableBytes);
        if (c != Check.OK) {
            return c;
        }
        if (!Checksum.isValid(seg, offset, headerLength(), 0)) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    /** As {@link #validate(int)} without the checksum: for datagrams we are building, and after hardware that checked it. */
    public Check validateHeader(int availableBytes) {
        int avail = Math.min(availableBytes, length);
        if (avail < 1) {
            return Check.TRUNCATED;
        }
        int vihl = BigEndian.u8(seg, offset);
        if ((vihl >>> 4) != VERSION) {
            return Check.BAD_VERSION;
        }
        int hl = (vihl & 0xF) * 4;
        if (hl < MIN_HEADER_LEN) {
            return Check.BAD_HEADER_LENGTH;
        }
        if (avail < hl) {
            return Check.TRUNCATED;
        }
        int total = BigEndian.u16(seg, offset + TOTAL_LENGTH_OFFSET);
        if (total < hl) {
            return Check.BAD_TOTAL_LENGTH;
        }
        if (total > avail) {
            return Check.TRUNCATED;
        }
        return Check.OK;
    }

    // ---- fields

    public int version() {
        return BigEndian.u8(seg, offset) >>> 4;
    }

    /** IHL: the header length in 32-bit words. */
    public int ihl() {
        return BigEndian.u8(seg, offset) & 0xF;
    }

    /** The header length in bytes, options included. */
    public int headerLength() {
        return ihl() * 4;
    }

    /** Writes version 4 and the IHL for a header of {@code bytes} (20..60, a multiple of 4). */
    public Ipv4Packet headerLength(int bytes) {
        if (bytes < MIN_HEADER_LEN || bytes > MAX_HEADER_LEN || (bytes & 3) != 0) {
            throw new IllegalArgumentException("IPv4 header length must be 20..60 and a multiple of 4: " + bytes);
        }
        BigEndian.u8(seg, offset, (VERSION << 4) | (bytes / 4));
        return this;
    }

    /** The whole second octet (old type of service). */
    public int tos() {
        return BigEndian.u8(seg, offset + TOS_OFFSET);
    }

    public Ipv4Packet tos(int tos) {
        BigEndian.u8(seg, offset + TOS_OFFSET, tos);
        return this;
    }

    /** Differentiated services code point, the six high bits of the second octet (RFC 2474). */
    public int dscp() {
        return tos() >>> 2;
    }

    /** Explicit congestion notification, the two low bits (RFC 3168). */
    public int ecn() {
        return tos() & 3;
    }

    public int totalLength() {
        return BigEndian.u16(seg, offset + TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Packet totalLength(int bytes) {
        BigEndian.u16(seg, offset + TOTAL_LENGTH_OFFSET, bytes);
        return this;
    }

    public int identification() {
        return BigEndian.u16(seg, offset + IDENTIFICATION_OFFSET);
    }

    public Ipv4Packet identification(int id) {
        BigEndian.u16(seg, offset + IDENTIFICATION_OFFSET, id);
        return this;
    }

    /** The 16-bit flags and fragment offset field as it is on the wire. */
    public int flagsAndFragmentOffset() {
        return BigEndian.u16(seg, offset + FLAGS_FRAGMENT_OFFSET);
    }

    public Ipv4Packet flagsAndFragmentOffset(int value) {
        BigEndian.u16(seg, offset + FLAGS_FRAGMENT_OFFSET, value);
        return this;
    }

    public boolean dontFragment() {
        return (flagsAndFragmentOffset() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flagsAndFragmentOffset() & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field times 8). */
    public int fragmentOffset() {
        return (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) * 8;
    }

    /**
     * Writes DF, MF and the fragment offset (the reserved flag becomes 0).
     *
     * @param offsetBytes a multiple of 8, 0..65528
     */
    public Ipv4Packet fragment(boolean dontFragment, boolean moreFragments, int offsetBytes) {
        if ((offsetBytes & 7) != 0 || offsetBytes < 0 || offsetBytes > FRAGMENT_OFFSET_MASK * 8) {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 in 0..65528: " + offsetBytes);
        }
        return flagsAndFragmentOffset((dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (offsetBytes >>> 3));
    }

    /** A piece of a larger datagram: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (flagsAndFragmentOffset() & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return BigEndian.u8(seg, offset + TTL_OFFSET);
    }

    public Ipv4Packet ttl(int ttl) {
        BigEndian.u8(seg, offset + TTL_OFFSET, ttl);
        return this;
    }

    public int protocol() {
        return BigEndian.u8(seg, offset + PROTOCOL_OFFSET);
    }

    public Ipv4Packet protocol(int protocol) {
        BigEndian.u8(seg, offset + PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int headerChecksum() {
        return BigEndian.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public Ipv4Packet headerChecksum(int checksum) {
        BigEndian.u16(seg, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Computes and writes the header checksum over {@link #headerLength()} bytes. Call after the last field change. */
    public Ipv4Packet fillChecksum() {
        headerChecksum(0);
        return headerChecksum(Checksum.compute(seg, offset, headerLength()));
    }

    public int src() {
        return BigEndian.i32(seg, offset + SRC_OFFSET);
    }

    public Ipv4Packet src(int addr) {
        BigEndian.i32(seg, offset + SRC_OFFSET, addr);
        return this;
    }

    public int dst() {
        return BigEndian.i32(seg, offset + DST_OFFSET);
    }

    public Ipv4Packet dst(int addr) {
        BigEndian.i32(seg, offset + DST_OFFSET, addr);
        return this;
    }

    // ---- regions

    /** Where the options start, as an offset in {@link #segment()}. */
    public long optionsOffset() {
        return offset + OPTIONS_OFFSET;
    }

    /** Option bytes, padding included: header length − 20. */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LEN;
    }

    /** Where the payload starts, as an offset in {@link #segment()}. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Total Length − header length: any bytes after the datagram (Ethernet padding) are not payload. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }
}

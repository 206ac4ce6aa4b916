package nemesis.wire;

import java.lang.foreign.MemorySegment;

/**
 * A flyweight over an Ethernet II frame (IEEE 802.3 §3.2 with the DIX type field; RFC 894 for
 * IPv4 over it), without preamble and without the frame check sequence:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination address                        |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                       Source address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           EtherType           |  Payload (46..1500 octets)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * </pre>
 *
 * <p>No VLAN tags: a tagged frame shows EtherType 0x8100 and is for the caller to refuse.
 *
 * <p>Use: {@link #wrap} a buffer, {@link #check()}, and read the fields only if it said
 * {@link Check#OK}; accessors do not check again (reading a field of a frame that failed its
 * check returns garbage or throws {@link IndexOutOfBoundsException} at the segment's end).
 * To build a frame, wrap a buffer of at least {@link #HEADER_LEN} bytes and set the fields.
 * Mutable and reusable; allocates nothing.
 */
public final class EthernetFrame extends Flyweight<EthernetFrame> {
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int HEADER_LEN = 14;
    /** Shortest frame on the wire without the FCS (64 − 4); senders pad shorter ones (IEEE 802.3 §4.2.3.3). */
    public static final int MIN_FRAME = 60;
    /** Longest untagged frame without the FCS: 1500 bytes of payload plus the header (IEEE 802.3 §3.2.7). */
    public static final int MAX_FRAME = 1514;
    /** Largest payload, the Ethernet MTU (RFC 894). */
    public static final int MAX_PAYLOAD = MAX_FRAME - HEADER_LEN;
    /** Bytes of the FCS that follows a frame on the wire (not in our buffers). */
    public static final int FCS_LEN = 4;

    /** IPv4 (RFC 894). */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** ARP (RFC 826). */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** An 802.1Q tag follows: not supported here. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** EtherType values below this are IEEE 802.3 length fields, not types. */
    public static final int ETHERTYPE_MIN = 0x0600;

    /** What {@link #check()} found. */
    public enum Check {
        OK,
        /** Shorter than the 14-byte header. */
        TRUNCATED,
        /** Longer than {@link #MAX_FRAME}. */
        TOO_LONG
    }

    /** Whether the fields may be read. Receivers accept frames shorter than {@link #MIN_FRAME}: a TAP device delivers them unpadded. */
    public Check check() {
        if (length < HEADER_LEN) {
            return Check.TRUNCATED;
        }
        if (length > MAX_FRAME) {
            return Check.TOO_LONG;
        }
        return Check.OK;
    }

    public long dst() {
        return BigEndian.u48(seg, offset + DST_OFFSET);
    }

    public EthernetFrame dst(long mac) {
        BigEndian.u48(seg, offset + DST_OFFSET, mac);
        return this;
    }

    public long src() {
        return BigEndian.u48(seg, offset + SRC_OFFSET);
    }

    public EthernetFrame src(long mac) {
        BigEndian.u48(seg, offset + SRC_OFFSET, mac);
        return this;
    }

    public int etherType() {
        return BigEndian.u16(seg, offset + ETHERTYPE_OFFSET);
    }

    public EthernetFrame etherType(int type) {
        BigEndian.u16(seg, offset + ETHERTYPE_OFFSET, type);
        return this;
    }

    /** Where the payload starts, as an offset in {@link #segment()}. */
    public long payloadOffset() {
        return offset + HEADER_LEN;
    }

    /** Everything after the header, including any padding up to {@link #MIN_FRAME}. */
    public int payloadLength() {
        return length - HEADER_LEN;
    }

    /** The length to put on the wire for a frame of {@code length} bytes: at least {@link #MIN_FRAME}. */
    public static int paddedLength(int length) {
        return Math.max(length, MIN_FRAME);
    }

    /** Zeroes the bytes from {@code length} up to {@link #MIN_FRAME} (padding must not leak old buffer contents). */
    public static int pad(MemorySegment seg, long offset, int length) {
        if (length < MIN_FRAME) {
            for (long p = offset + length, end = offset + MIN_FRAME; p < end; p++) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p, (byte) 0);
            }
            return MIN_FRAME;
        }
        return length;
    }
}

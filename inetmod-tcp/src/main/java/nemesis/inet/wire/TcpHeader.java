package nemesis.inet.wire;

import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.Flyweight;
import nemesis.wire.Ipv4Packet;

/**
 * A flyweight over a TCP segment (RFC 9293 §3.1), the payload of an IPv4 datagram with protocol 6:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data ...                          | 4·Data Offset
 * </pre>
 *
 * The checksum covers a pseudo-header (source, destination, zero, protocol 6, TCP length), the
 * header and the data (RFC 9293 §3.1). There is no length field: the segment runs to the end of
 * the IP datagram.
 *
 * <p>Use: {@link #wrap} the IPv4 payload, {@link #validate(int, int, int)}, and read fields only
 * after {@link Check#OK}. Validation also parses the options the stack understands — MSS
 * (RFC 9293 §3.2), window scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018) —
 * into fields of this object. Parsing never throws: a malformed option list (a length below 2, or
 * running past the header) ends parsing there and is counted in {@link #optionErrors()}; a known
 * option with the wrong length is skipped (RFC 9293 §3.1: "a TCP MUST be prepared to handle an
 * illegal option length"). Mutable and reusable; allocates nothing.
 */
public final class TcpHeader extends Flyweight<TcpHeader> {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;
    /** Header without options (data offset 5). */
    public static final int MIN_HEADER_LEN = 20;
    /** Data offset 15. */
    public static final int MAX_HEADER_LEN = 60;
    public static final int MAX_OPTIONS_LEN = MAX_HEADER_LEN - MIN_HEADER_LEN;

    // Control bits (RFC 9293 §3.1; ECE and CWR: RFC 3168).
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    // Option kinds (IANA "TCP Option Kind Numbers").
    public static final int OPT_EOL = 0;
    public static final int OPT_NOP = 1;
    /** RFC 9293 §3.2: length 4. */
    public static final int OPT_MSS = 2;
    /** RFC 7323 §2.2: length 3. */
    public static final int OPT_WSCALE = 3;
    /** RFC 2018 §2: length 2, SYN only. */
    public static final int OPT_SACK_PERMITTED = 4;
    /** RFC 2018 §3: length 2 + 8n. */
    public static final int OPT_SACK = 5;
    /** RFC 7323 §3.2: length 10. */
    public static final int OPT_TIMESTAMPS = 8;
    /** The most SACK blocks 40 bytes of options hold (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** What {@link #validate} found, first failure wins in this order. */
    public enum Check {
        OK,
        /** Fewer than 20 bytes. */
        TRUNCATED,
        /** Data offset below 5, or a header longer than the bytes available (BSD {@code tcps_rcvbadoff}). */
        BAD_DATA_OFFSET,
        /** The checksum does not verify (BSD {@code tcps_rcvbadsum}). */
        BAD_CHECKSUM
    }

    private int segLength;
    private int srcIp;
    private int dstIp;
    // parsed options
    private int mss;
    private int wscale;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackCount;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];
    private int optionErrors;

    /**
     * Whether the fields may be read: at least 20 bytes, 5 ≤ data offset with the header inside
     * the bytes available, and a checksum that verifies with the pseudo-header of {@code src} and
     * {@code dst}. Then parses the options.
     *
     * @param availableBytes the IPv4 payload length (the TCP length); more than the wrapped
     *                       length counts as the wrapped length
     */
    public Check validate(int availableBytes, int src, int dst) {
        Check c = validateHeader(availableBytes);
        if (c != Check.OK) {
            return c;
        }
        if (!Checksum.isValid(seg, offset, segLength, Checksum.pseudoHeaderSum(src, dst, Ipv4Packet.PROTO_TCP, segLength))) {
            return Check.BAD_CHECKSUM;
        }
        srcIp = src;
        dstIp = dst;
        return Check.OK;
    }

    /**
     * As {@link #validate(int, int, int)} without the checksum (a segment we built, or one whose
     * checksum hardware verified); the addresses read as 0. Parses the options.
     */
    public Check validateHeader(int availableBytes) {
        int avail = Math.min(Math.max(availableBytes, 0), length);
        clearOptions();
        segLength = 0;
        srcIp = 0;
        dstIp = 0;
        if (avail < MIN_HEADER_LEN) {
            return Check.TRUNCATED;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LEN || hl > avail) {
            return Check.BAD_DATA_OFFSET;
        }
        segLength = avail;
        parseOptions(offset + OPTIONS_OFFSET, hl - MIN_HEADER_LEN);
        return Check.OK;
    }

    private void clearOptions() {
        mss = -1;
        wscale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
        optionErrors = 0;
    }

    /** RFC 9293 §3.1 option list: kinds 0 and 1 are one byte, every other kind has a length byte. */
    private void parseOptions(long at, int len) {
        long end = at + len;
        long p = at;
        while (p < end) {
            int kind = BigEndian.u8(seg, p);
            if (kind == OPT_EOL) {
                return;
            }
            if (kind == OPT_NOP) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                optionErrors++;
                return;
            }
            int olen = BigEndian.u8(seg, p + 1);
            if (olen < 2 || p + olen > end) {
                optionErrors++;
                return;
            }
            switch (kind) {
                case OPT_MSS -> {
                    if (olen == 4) {
                        mss = BigEndian.u16(seg, p + 2);
                    } else {
                        optionErrors++;
                    }
                }
                case OPT_WSCALE -> {
                    if (olen == 3) {
                        wscale = BigEndian.u8(seg, p + 2);
                    } else {
                        optionErrors++;
                    }
                }
                case OPT_SACK_PERMITTED -> {
                    if (olen == 2) {
                        sackPermitted = true;
                    } else {
                        optionErrors++;
                    }
                }
                case OPT_TIMESTAMPS -> {
                    if (olen == 10) {
                        timestamps = true;
                        tsVal = BigEndian.i32(seg, p + 2);
                        tsEcr = BigEndian.i32(seg, p + 6);
                    } else {
                        optionErrors++;
                    }
                }
                case OPT_SACK -> {
                    int n = (olen - 2) / 8;
                    if ((olen - 2) % 8 != 0 || n < 1 || n > MAX_SACK_BLOCKS) {
                        optionErrors++;
                    } else {
                        sackCount = 0; // a second SACK option replaces the first
                        for (int i = 0; i < n; i++) {
                            sackLeft[i] = BigEndian.i32(seg, p + 2 + 8L * i);
                            sackRight[i] = BigEndian.i32(seg, p + 6 + 8L * i);
                        }
                        sackCount = n;
                    }
                }
                default -> { } // unknown: skipped by its length
            }
            p += olen;
        }
    }

    // ---- fields

    public int srcPort() {
        return BigEndian.u16(seg, offset + SRC_PORT_OFFSET);
    }

    public int dstPort() {
        return BigEndian.u16(seg, offset + DST_PORT_OFFSET);
    }

    /** The sequence number, a 32-bit value (compare modulo 2^32). */
    public int seq() {
        return BigEndian.i32(seg, offset + SEQ_OFFSET);
    }

    public int ack() {
        return BigEndian.i32(seg, offset + ACK_OFFSET);
    }

    /** The data offset field: the header length in 32-bit words. */
    public int dataOffset() {
        return BigEndian.u8(seg, offset + DATA_OFFSET_OFFSET) >>> 4;
    }

    /** The header length in bytes, options included. */
    public int headerLength() {
        return dataOffset() * 4;
    }

    /** The eight control bits (CWR..FIN). */
    public int flags() {
        return BigEndian.u8(seg, offset + FLAGS_OFFSET);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** The window field as sent (unscaled). */
    public int window() {
        return BigEndian.u16(seg, offset + WINDOW_OFFSET);
    }

    public int checksum() {
        return BigEndian.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public int urgentPointer() {
        return BigEndian.u16(seg, offset + URGENT_OFFSET);
    }

    /** Header and data: the bytes validated. */
    public int segmentLength() {
        return segLength;
    }

    /** The source address given to {@link #validate(int, int, int)}. */
    public int srcIp() {
        return srcIp;
    }

    public int dstIp() {
        return dstIp;
    }

    /** Where the data starts, as an offset in {@link #segment()}. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    public int payloadLength() {
        return segLength - headerLength();
    }

    // ---- options (valid after validate)

    /** The MSS option, or -1 if absent. */
    public int mssOption() {
        return mss;
    }

    /** The window scale option's shift count as sent (0..255), or -1 if absent. */
    public int windowScaleOption() {
        return wscale;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    /** SACK blocks in the segment, 0..4. */
    public int sackCount() {
        return sackCount;
    }

    /** Left edge of SACK block {@code i} (the first sequence number in it). */
    public int sackLeft(int i) {
        return sackLeft[i];
    }

    /** Right edge of SACK block {@code i} (the sequence number just after it). */
    public int sackRight(int i) {
        return sackRight[i];
    }

    /** Malformed or mis-sized options met while parsing. */
    public int optionErrors() {
        return optionErrors;
    }
}

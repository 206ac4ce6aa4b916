package nemesis.inet;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;

/**
 * Cuts an IPv4 datagram into fragments that fit an MTU (RFC 791 §2.3 "Fragmentation" and §3.2
 * "An Example Fragmentation Procedure"; RFC 1122 §3.3.3):
 * <ul>
 *   <li>every fragment carries as many 8-byte units of data as fit; only the last may carry
 *       fewer, or a length that is not a multiple of 8;</li>
 *   <li>offsets are relative to the original datagram, so a fragment can be fragmented again
 *       (the last piece keeps the fragment's own MF flag);</li>
 *   <li>the first fragment keeps every option; the others only those whose copied flag is set
 *       (RFC 791 §3.1 "Options"), padded with end-of-options to a 4-byte boundary;</li>
 *   <li>each header gets its own Total Length, flags, offset and checksum; identification, TTL,
 *       protocol and addresses are the original's.</li>
 * </ul>
 *
 * <p>Use, allocating nothing:
 * <pre>{@code
 * if (frag.begin(seg, off, len, mtu) == Result.OK) {
 *     while (frag.hasNext()) {
 *         int n = frag.next(buf, bufOffset);   // buf has room for frag.nextLength() (≤ mtu)
 *         ...
 *     }
 * }
 * }</pre>
 * A datagram that already fits comes out as one piece, a copy with its checksum refilled. The
 * source must stay unchanged and must not overlap the destinations until the last {@link #next}.
 * Mutable and reusable; not thread-safe.
 */
public final class Ipv4Fragmenter {
    /** RFC 791 §3.1: option type octet = copied flag (1 bit), class (2), number (5). */
    private static final int OPTION_COPIED = 0x80;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;

    /** Why {@link #begin} refused, or OK. */
    public enum Result {
        OK,
        /** Too big for the MTU and Don't Fragment is set: the caller reports ICMP "fragmentation needed" (RFC 1191). */
        DONT_FRAGMENT,
        /** The MTU cannot carry a header and 8 bytes of data (below 68, RFC 791, or too small for the options). */
        MTU_TOO_SMALL,
        /** The header is inconsistent ({@link Ipv4Packet#validateHeader}), or the data would end past offset 65535. */
        BAD_PACKET,
        /** An option runs past the header or has a length below 2. */
        BAD_OPTIONS
    }

    private final Ipv4Packet in = new Ipv4Packet();
    private final Ipv4Packet out = new Ipv4Packet();

    private MemorySegment src;
    private long srcOffset;
    private int headerLength;
    private int dataLength;
    private int originalOffset;
    private boolean originalMoreFragments;
    private boolean whole;
    /** Header length of the second and later fragments. */
    private int laterHeaderLength;
    private int firstChunk;
    private int laterChunk;
    private int fragments;
    /** Data bytes emitted so far; for a whole datagram, 1 once emitted. */
    private int position;
    private boolean active;

    /**
     * Prepares to fragment the datagram at {@code offset} ({@code length} bytes available, of
     * which Total Length are the datagram) for a link of {@code mtu} bytes. The header checksum
     * is not checked: it is recomputed for every fragment.
     */
    public Result begin(MemorySegment seg, long offset, int length, int mtu) {
        active = false;
        in.wrap(seg, offset, length);
        if (in.validateHeader(length) != Ipv4Packet.Check.OK) {
            return Result.BAD_PACKET;
        }
        src = seg;
        srcOffset = offset;
        headerLength = in.headerLength();
        int total = in.totalLength();
        dataLength = total - headerLength;
        position = 0;
        if (total <= mtu) {
            whole = true;
            fragments = 1;
            active = true;
            return Result.OK;
        }
        whole = false;
        if (in.dontFragment()) {
            return Result.DONT_FRAGMENT;
        }
        if (mtu < Ipv4Packet.MIN_MTU) {
            return Result.MTU_TOO_SMALL;
        }
        originalOffset = in.fragmentOffset();
        originalMoreFragments = in.moreFragments();
        if (originalOffset + dataLength > Ipv4Packet.MAX_TOTAL_LENGTH) {
            return Result.BAD_PACKET;
        }
        int copied = copiedOptionsLength();
        if (copied < 0) {
            return Result.BAD_OPTIONS;
        }
        laterHeaderLength = Ipv4Packet.MIN_HEADER_LEN + ((copied + 3) & ~3);
        firstChunk = (mtu - headerLength) & ~7;
        laterChunk = (mtu - laterHeaderLength) & ~7;
        if (firstChunk < 8) {
            return Result.MTU_TOO_SMALL;
        }
        // total > mtu, so the data is longer than the first chunk: two fragments at least.
        fragments = 1 + (dataLength - firstChunk + laterChunk - 1) / laterChunk;
        active = true;
        return Result.OK;
    }

    /** How many pieces {@link #next} will produce in all (after {@link #begin} said OK). */
    public int fragmentCount() {
        return fragments;
    }

    public boolean hasNext() {
        return active && (whole ? position == 0 : position < dataLength);
    }

    /** The length of the piece the next {@link #next} writes. */
    public int nextLength() {
        requireNext();
        if (whole) {
            return headerLength + dataLength;
        }
        return position == 0
                ? headerLength + firstChunk
                : laterHeaderLength + Math.min(laterChunk, dataLength - position);
    }

    /**
     * Writes the next piece at {@code dstOffset} in {@code dst}.
     *
     * @return its length, at most the MTU
     * @throws IllegalStateException if there is none ({@link #hasNext()} is false)
     */
    public int next(MemorySegment dst, long dstOffset) {
        requireNext();
        if (whole) {
            int total = headerLength + dataLength;
            MemorySegment.copy(src, srcOffset, dst, dstOffset, total);
            out.wrap(dst, dstOffset, total).fillChecksum();
            position = 1;
            return total;
        }
        int hl;
        int chunk;
        if (position == 0) {
            hl = headerLength;
            chunk = firstChunk;
            MemorySegment.copy(src, srcOffset, dst, dstOffset, headerLength);
        } else {
            hl = laterHeaderLength;
            chunk = Math.min(laterChunk, dataLength - position);
            MemorySegment.copy(src, srcOffset, dst, dstOffset, Ipv4Packet.MIN_HEADER_LEN);
            writeCopiedOptions(dst, dstOffset + Ipv4Packet.MIN_HEADER_LEN, hl - Ipv4Packet.MIN_HEADER_LEN);
        }
        MemorySegment.copy(src, srcOffset + headerLength + position, dst, dstOffset + hl, chunk);
        boolean last = position + chunk == dataLength;
        out.wrap(dst, dstOffset, hl + chunk)
                .headerLength(hl)
                .totalLength(hl + chunk)
                .fragment(false, !last || originalMoreFragments, originalOffset + position)
                .fillChecksum();
        position += chunk;
        return hl + chunk;
    }

    private void requireNext() {
        if (!hasNext()) {
            throw new IllegalStateException("no fragment left: call begin() and check hasNext()");
        }
    }

    /** Bytes of options with the copied flag, or -1 if the options are malformed. */
    private int copiedOptionsLength() {
        int copied = 0;
        long p = srcOffset + Ipv4Packet.OPTIONS_OFFSET;
        long end = srcOffset + headerLength;
        while (p < end) {
            int type = BigEndian.u8(src, p);
            if (type == OPTION_END) {
                break;
            }
            if (type == OPTION_NOP) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                return -1;
            }
            int len = BigEndian.u8(src, p + 1);
            if (len < 2 || p + len > end) {
                return -1;
            }
            if ((type & OPTION_COPIED) != 0) {
                copied += len;
            }
            p += len;
        }
        return copied;
    }

    /** The options with the copied flag, then end-of-options up to {@code room} bytes. */
    private void writeCopiedOptions(MemorySegment dst, long at, int room) {
        long p = srcOffset + Ipv4Packet.OPTIONS_OFFSET;
        long end = srcOffset + headerLength;
        long w = at;
        while (p < end) {
            int type = BigEndian.u8(src, p);
            if (type == OPTION_END) {
                break;
            }
            if (type == OPTION_NOP) {
                p++;
                continue;
            }
            int len = BigEndian.u8(src, p + 1);   // checked in begin()
            if ((type & OPTION_COPIED) != 0) {
                MemorySegment.copy(src, p, dst, w, len);
                w += len;
            }
            p += len;
        }
        for (long stop = at + room; w < stop; w++) {
            BigEndian.u8(dst, w, OPTION_END);
        }
    }
}

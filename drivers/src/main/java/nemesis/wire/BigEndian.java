package nemesis.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network byte order (RFC 791 Appendix B: most significant octet first), defined once.
 *
 * <p>The layouts are unaligned because headers sit at any offset in a buffer (an IPv4 header
 * follows a 14-byte Ethernet header, so its 32-bit fields are only 2-aligned). The helpers return
 * unsigned values widened to {@code int} or {@code long}; they allocate nothing.
 */
public final class BigEndian {
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BigEndian() {
    }

    public static int u8(MemorySegment seg, long offset) {
        return seg.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    public static void u8(MemorySegment seg, long offset, int value) {
        seg.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    public static int u16(MemorySegment seg, long offset) {
        return seg.get(SHORT, offset) & 0xFFFF;
    }

    public static void u16(MemorySegment seg, long offset, int value) {
        seg.set(SHORT, offset, (short) value);
    }

    /** A 32-bit field as an {@code int} (an IPv4 address keeps its sign bit; compare with care). */
    public static int i32(MemorySegment seg, long offset) {
        return seg.get(INT, offset);
    }

    public static void i32(MemorySegment seg, long offset, int value) {
        seg.set(INT, offset, value);
    }

    /** A 48-bit field (a MAC address) in the low bits of a {@code long}. */
    public static long u48(MemorySegment seg, long offset) {
        return ((long) u16(seg, offset) << 32) | (seg.get(INT, offset + 2) & 0xFFFF_FFFFL);
    }

    public static void u48(MemorySegment seg, long offset, long value) {
        seg.set(SHORT, offset, (short) (value >>> 32));
        seg.set(INT, offset + 2, (int) value);
    }
}

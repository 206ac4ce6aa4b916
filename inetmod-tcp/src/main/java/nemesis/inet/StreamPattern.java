package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The byte pattern tcp_send writes and tcp_sink checks: byte {@code i} of the stream is a
 * function of {@code i} alone, so any chunk can be checked wherever it falls, and a byte lost,
 * duplicated, reordered or corrupted shows. The function mixes the offset (a 64-bit multiply and
 * fold) so that shifted copies of the stream do not match themselves.
 *
 * <p>The stream is the little-endian encoding of the words {@link #word}(0), word(1), ...: byte
 * {@code i} is byte {@code i & 7} of word {@code i >>> 3}. Filling and checking go a word at a
 * time where the stream offset is word-aligned (a sender and a receiver do this for every byte
 * they move, so it is on the per-segment path of every bulk transfer).
 */
public final class StreamPattern {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong SEGMENT_LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private StreamPattern() {
    }

    /** Word {@code j} of the stream: bytes {@code 8j .. 8j + 7}, little-endian. */
    static long word(long j) {
        long x = j * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29);
    }

    /** Byte {@code i} of the stream. */
    public static byte at(long i) {
        return (byte) (word(i >>> 3) >>> (8 * (i & 7)));
    }

    /** Bytes from {@code k} up to where the stream offset {@code s + k} is word-aligned (or to len). */
    private static int head(long s, int len) {
        return (int) Math.min(len, (8 - (s & 7)) & 7);
    }

    public static void fill(MemorySegment m, long off, int len, long streamOffset) {
        int k = head(streamOffset, len);
        for (int i = 0; i < k; i++) {
            m.set(ValueLayout.JAVA_BYTE, off + i, at(streamOffset + i));
        }
        for (; k + 8 <= len; k += 8) {
            m.set(SEGMENT_LONG_LE, off + k, word((streamOffset + k) >>> 3));
        }
        for (; k < len; k++) {
            m.set(ValueLayout.JAVA_BYTE, off + k, at(streamOffset + k));
        }
    }

    public static void fill(byte[] b, int off, int len, long streamOffset) {
        int k = head(streamOffset, len);
        for (int i = 0; i < k; i++) {
            b[off + i] = at(streamOffset + i);
        }
        for (; k + 8 <= len; k += 8) {
            LONG_LE.set(b, off + k, word((streamOffset + k) >>> 3));
        }
        for (; k < len; k++) {
            b[off + k] = at(streamOffset + k);
        }
    }

    /** The index of the first byte that differs from the pattern, or -1 if all match. */
    public static int firstMismatch(byte[] b, int off, int len, long streamOffset) {
        int k = head(streamOffset, len);
        for (int i = 0; i < k; i++) {
            if (b[off + i] != at(streamOffset + i)) {
                return i;
            }
        }
        for (; k + 8 <= len; k += 8) {
            long diff = (long) LONG_LE.get(b, off + k) ^ word((streamOffset + k) >>> 3);
            if (diff != 0) {
                return k + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
        }
        for (; k < len; k++) {
            if (b[off + k] != at(streamOffset + k)) {
                return k;
            }
        }
        return -1;
    }

    /** The same over a memory segment: the index of the first byte that differs, or -1. */
    public static long firstMismatch(MemorySegment m, long off, int len, long streamOffset) {
        int k = head(streamOffset, len);
        for (int i = 0; i < k; i++) {
            if (m.get(ValueLayout.JAVA_BYTE, off + i) != at(streamOffset + i)) {
                return i;
            }
        }
        for (; k + 8 <= len; k += 8) {
            long diff = m.get(SEGMENT_LONG_LE, off + k) ^ word((streamOffset + k) >>> 3);
            if (diff != 0) {
                return k + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
        }
        for (; k < len; k++) {
            if (m.get(ValueLayout.JAVA_BYTE, off + k) != at(streamOffset + k)) {
                return k;
            }
        }
        return -1;
    }
}

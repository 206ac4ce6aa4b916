package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The byte pattern tcp_send writes and tcp_sink checks: byte {@code i} of the stream is a
 * function of {@code i} alone, so any chunk can be checked wherever it falls, and a byte lost,
 * duplicated, reordered or corrupted shows. The function mixes the offset (a 64-bit multiply and
 * fold) so that shifted copies of the stream do not match themselves.
 */
public final class StreamPattern {
    private StreamPattern() {
    }

    /** Byte {@code i} of the stream. */
    public static byte at(long i) {
        long x = (i >>> 3) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x >>> (8 * (i & 7)));
    }

    public static void fill(MemorySegment m, long off, int len, long streamOffset) {
        for (int k = 0; k < len; k++) {
            m.set(ValueLayout.JAVA_BYTE, off + k, at(streamOffset + k));
        }
    }

    public static void fill(byte[] b, int off, int len, long streamOffset) {
        for (int k = 0; k < len; k++) {
            b[off + k] = at(streamOffset + k);
        }
    }

    /** The index of the first byte that differs from the pattern, or -1 if all match. */
    public static int firstMismatch(byte[] b, int off, int len, long streamOffset) {
        for (int k = 0; k < len; k++) {
            if (b[off + k] != at(streamOffset + k)) {
                return k;
            }
        }
        return -1;
    }
}

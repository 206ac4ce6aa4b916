package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import nemesis.wire.BigEndian;

/**
 * The verifiable payload senders put in datagrams ({@code pattern: true}) and sinks check
 * ({@code verify: pattern}):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 sequence number (u64, big endian)             |  0
 * +                                                               +
 * |                                                               |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  byte i = (i + 7 * seq) mod 251, for i = 8 .. length - 1 ...  |  8
 * </pre>
 *
 * A payload shorter than 8 bytes carries no sequence number: its bytes are {@code i mod 251}.
 * The period 251 (a prime) is not a divisor of any fragment size or offset a stack uses, so
 * data delivered at the wrong offset (a reassembly bug) or from another datagram does not
 * verify. Filling and checking copy from and compare with a precomputed ramp: no per-byte loop
 * in Java, no allocation.
 */
public final class Pattern {
    /** Bytes of the sequence number at the start of a payload. */
    public static final int SEQ_BYTES = 8;
    private static final int PERIOD = 251;
    /** ramp[j] = j mod 251: every pattern run is a slice of it. */
    private static final byte[] RAMP_BYTES = new byte[PERIOD + 65536];
    private static final MemorySegment RAMP = MemorySegment.ofArray(RAMP_BYTES);

    static {
        for (int j = 0; j < RAMP_BYTES.length; j++) {
            RAMP_BYTES[j] = (byte) (j % PERIOD);
        }
    }

    private Pattern() {
    }

    /** Whether a payload of {@code length} bytes carries a sequence number. */
    public static boolean hasSequence(int length) {
        return length >= SEQ_BYTES;
    }

    /** Writes the pattern of datagram {@code seq} over {@code length} bytes at {@code off}. */
    public static void fill(MemorySegment m, long off, int length, long seq) {
        int from = 0;
        if (hasSequence(length)) {
            m.set(BigEndian.LONG, off, seq);
            from = SEQ_BYTES;
        } else {
            seq = 0;
        }
        if (length > from) {
            MemorySegment.copy(RAMP, start(seq, from), m, off + from, length - from);
        }
    }

    public static void fill(byte[] b, int off, int length, long seq) {
        int from = 0;
        if (hasSequence(length)) {
            for (int i = 0; i < SEQ_BYTES; i++) {
                b[off + i] = (byte) (seq >>> (56 - 8 * i));
            }
            from = SEQ_BYTES;
        } else {
            seq = 0;
        }
        if (length > from) {
            System.arraycopy(RAMP_BYTES, (int) start(seq, from), b, off + from, length - from);
        }
    }

    /** The sequence number of a payload (0 if it is too short to carry one). */
    public static long sequence(MemorySegment m, long off, int length) {
        return hasSequence(length) ? m.get(BigEndian.LONG, off) : 0;
    }

    public static long sequence(byte[] b, int off, int length) {
        if (!hasSequence(length)) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < SEQ_BYTES; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Whether the bytes after the sequence number are the pattern of the sequence number found there. */
    public static boolean verify(MemorySegment m, long off, int length) {
        long seq = sequence(m, off, length);
        int from = hasSequence(length) ? SEQ_BYTES : 0;
        if (length <= from) {
            return true;
        }
        long at = start(seq, from);
        return MemorySegment.mismatch(m, off + from, off + length, RAMP, at, at + length - from) < 0;
    }

    public static boolean verify(byte[] b, int off, int length) {
        long seq = sequence(b, off, length);
        int from = hasSequence(length) ? SEQ_BYTES : 0;
        if (length <= from) {
            return true;
        }
        int at = (int) start(seq, from);
        return Arrays.mismatch(b, off + from, off + length, RAMP_BYTES, at, at + length - from) < 0;
    }

    /** Where in the ramp byte {@code i} of datagram {@code seq}'s pattern is. */
    private static long start(long seq, int i) {
        return Math.floorMod(i + 7 * (seq % PERIOD), PERIOD);
    }
}

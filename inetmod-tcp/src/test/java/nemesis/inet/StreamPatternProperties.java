package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The word-at-a-time fill and check agree byte for byte with the pattern's definition. */
class StreamPatternProperties {
    /** The definition, a byte at a time. */
    static byte reference(long i) {
        long x = (i >>> 3) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x >>> (8 * (i & 7)));
    }

    @Property(tries = 2000)
    void fillWritesThePatternAndNothingElse(@ForAll @LongRange(min = 0, max = 1L << 40) long stream,
                                            @ForAll @IntRange(min = 0, max = 3000) int len,
                                            @ForAll @IntRange(min = 0, max = 9) int off) {
        byte[] b = new byte[off + len + 9];
        java.util.Arrays.fill(b, (byte) 0x5A);
        StreamPattern.fill(b, off, len, stream);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length);
            m.fill((byte) 0x5A);
            StreamPattern.fill(m, off, len, stream);
            for (int i = 0; i < b.length; i++) {
                byte want = i >= off && i < off + len ? reference(stream + i - off) : (byte) 0x5A;
                assertEquals(want, b[i], "array byte " + i);
                assertEquals(want, m.get(ValueLayout.JAVA_BYTE, i), "segment byte " + i);
            }
            for (int j = 0; j < Math.min(len, 16); j++) {
                assertEquals(reference(stream + j), StreamPattern.at(stream + j));
            }
            assertEquals(-1, StreamPattern.firstMismatch(b, off, len, stream));
            assertEquals(-1, StreamPattern.firstMismatch(m, off, len, stream));
        }
    }

    @Property(tries = 2000)
    void firstMismatchFindsTheFirstWrongByte(@ForAll @LongRange(min = 0, max = 1L << 40) long stream,
                                             @ForAll @IntRange(min = 1, max = 3000) int len,
                                             @ForAll @IntRange(min = 0, max = 9) int off,
                                             @ForAll @IntRange(min = 0, max = 2999) int at1,
                                             @ForAll @IntRange(min = 0, max = 2999) int at2,
                                             @ForAll @IntRange(min = 1, max = 255) int flip) {
        int p = at1 % len;
        int q = at2 % len;
        byte[] b = new byte[off + len];
        StreamPattern.fill(b, off, len, stream);
        b[off + p] ^= (byte) flip;
        b[off + q] ^= (byte) flip;
        int want = p == q ? -1 : Math.min(p, q); // the same byte flipped twice is right again
        assertEquals(want, StreamPattern.firstMismatch(b, off, len, stream));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length);
            MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
            assertEquals(want, StreamPattern.firstMismatch(m, off, len, stream));
        }
    }
}

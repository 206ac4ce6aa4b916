package nemesis.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The fast checksum against the textbook loop of RFC 1071 §4.1, over odd lengths and offsets, heap and off-heap. */
class ChecksumProperties {

    /** RFC 1071 §4.1, one 16-bit word at a time with the carry folded in as it goes. */
    static int referenceSum(byte[] b, int from, int len, int initial) {
        long sum = initial & 0xFFFF_FFFFL;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        int i = from;
        for (; len > 1; len -= 2, i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        if (len == 1) {
            sum += (b[i] & 0xFF) << 8;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(3000);
    }

    @Property(tries = 2000)
    void sumEqualsReferenceAtAnyOffsetOnOffHeapMemory(@ForAll("data") byte[] data, @ForAll @IntRange(max = 9) int offset,
                                                      @ForAll int initial) {
        try (Arena arena = Arena.ofConfined()) {
            // The range ends exactly at the end of the segment: any over-read would throw.
            MemorySegment seg = arena.allocate(offset + data.length + 0L, 1);
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, offset, data.length);
            assertEquals(referenceSum(data, 0, data.length, initial), Checksum.sum(seg, offset, data.length, initial));
        }
    }

    @Property(tries = 2000)
    void sumEqualsReferenceOnAHeapSegment(@ForAll("data") byte[] data, @ForAll @IntRange(max = 17) int from) {
        int f = Math.min(from, data.length);
        MemorySegment seg = MemorySegment.ofArray(data);
        assertEquals(referenceSum(data, f, data.length - f, 0), Checksum.sum(seg, f, data.length - f));
    }

    @Property(tries = 1000)
    void aFilledInChecksumVerifiesAndAnyOneBitErrorIsCaught(@ForAll("data") byte[] raw, @ForAll @IntRange(max = 1000) int at,
                                                           @ForAll @IntRange(max = 100_000) int bit) {
        byte[] data = raw.length < 2 ? new byte[] {0, 0} : raw;
        int field = Math.min(at, data.length - 2) & ~1;   // at an even position, like every header's
        data[field] = 0;
        data[field + 1] = 0;
        MemorySegment seg = MemorySegment.ofArray(data);
        int c = Checksum.compute(seg, 0, data.length);
        data[field] = (byte) (c >>> 8);
        data[field + 1] = (byte) c;
        assertTrue(Checksum.isValid(seg, 0, data.length, 0));
        int b = bit % (data.length * 8);
        data[b / 8] ^= (byte) (1 << (b % 8));
        assertTrue(!Checksum.isValid(seg, 0, data.length, 0), "a single flipped bit must fail the check");
    }

    @Property(tries = 1000)
    void sumsOfConsecutiveRangesAddWhenTheFirstIsEven(@ForAll("data") byte[] data, @ForAll @IntRange(max = 3000) int cut) {
        int c = Math.min(cut, data.length) & ~1;
        MemorySegment seg = MemorySegment.ofArray(data);
        int whole = Checksum.sum(seg, 0, data.length);
        int parts = Checksum.add(Checksum.sum(seg, 0, c), Checksum.sum(seg, c, data.length - c));
        // Equal as ones' complement numbers: 0 and 0xFFFF are both zero.
        assertEquals(whole % 0xFFFF, parts % 0xFFFF);
        assertEquals(whole, Checksum.sum(seg, c, data.length - c, Checksum.sum(seg, 0, c)));
    }

    @Property(tries = 3000)
    void incrementalUpdateOfAWordEqualsRecomputation(@ForAll("data") byte[] raw, @ForAll @IntRange(max = 3000) int at,
                                                     @ForAll @IntRange(max = 0xFFFF) int newWord) {
        byte[] data = raw.length < 2 ? new byte[] {1, 2} : raw;
        int w = Math.min(at, data.length - 2) & ~1;
        MemorySegment seg = MemorySegment.ofArray(data);
        int before = Checksum.compute(seg, 0, data.length);
        int oldWord = BigEndian.u16(seg, w);
        BigEndian.u16(seg, w, newWord);
        int after = Checksum.compute(seg, 0, data.length);
        int updated = Checksum.update16(before, oldWord, newWord);
        if (allZero(data)) {
            assertEquals(0, updated, "RFC 1624 §3: the update gives the other zero");
            assertEquals(0xFFFF, after);
        } else {
            assertEquals(after, updated);
        }
    }

    @Property(tries = 3000)
    void incrementalUpdateOfAnAddressEqualsRecomputation(@ForAll("data") byte[] raw, @ForAll @IntRange(max = 3000) int at,
                                                         @ForAll int newValue) {
        byte[] data = raw.length < 4 ? new byte[] {1, 2, 3, 4} : raw;
        int w = Math.min(at, data.length - 4) & ~1;
        MemorySegment seg = MemorySegment.ofArray(data);
        int before = Checksum.compute(seg, 0, data.length);
        int oldValue = BigEndian.i32(seg, w);
        BigEndian.i32(seg, w, newValue);
        int after = Checksum.compute(seg, 0, data.length);
        int updated = Checksum.update32(before, oldValue, newValue);
        if (allZero(data)) {
            assertEquals(0, updated);
        } else {
            assertEquals(after, updated);
        }
    }

    @Property(tries = 1000)
    void pseudoHeaderSumIsTheSumOfItsTwelveBytes(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 255) int proto,
                                                 @ForAll @IntRange(max = 0xFFFF) int length) {
        byte[] ph = new byte[12];
        MemorySegment seg = MemorySegment.ofArray(ph);
        BigEndian.i32(seg, 0, src);
        BigEndian.i32(seg, 4, dst);
        BigEndian.u8(seg, 9, proto);
        BigEndian.u16(seg, 10, length);
        assertEquals(referenceSum(ph, 0, 12, 0), Checksum.pseudoHeaderSum(src, dst, proto, length));
    }

    @Example
    void rfc1071NumericalExample() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(0xddf2, Checksum.sum(MemorySegment.ofArray(b), 0, 8));
        assertEquals(0x220d, Checksum.compute(MemorySegment.ofArray(b), 0, 8));
    }

    @Example
    void foldKeepsTheOnesComplementValue() {
        assertEquals(0, Checksum.fold(0));
        assertEquals(0xFFFF, Checksum.fold(0xFFFF));
        assertEquals(1, Checksum.fold(0x10000));
        assertEquals(0xFFFF, Checksum.fold(0x1FFFE));
        assertEquals(0xFFFF, Checksum.fold(-1L));   // 2^64 − 1 ≡ 0 (mod 0xFFFF), and not zero
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}

package nemesis.wire;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: the 16-bit ones' complement of the ones' complement sum of the data
 * taken as big-endian 16-bit words, an odd last byte padded with a zero byte on its right
 * (RFC 791 §3.1, RFC 1071). IPv4, ICMP, UDP and TCP all use it.
 *
 * <p>Read RFC 1071 §1–2 (deferred carries, byte order independence) and RFC 1624 (incremental
 * update, and why eqn. 3 rather than eqn. 2) first.
 *
 * <p>Vocabulary: a <em>partial sum</em> is a folded ones' complement sum, an {@code int} in
 * 0..0xFFFF; partial sums of consecutive ranges add with {@link #add}, as long as every range but
 * the last has an even length (an odd range would shift the next one's bytes into the other half
 * of the words). The <em>checksum</em> written into a header is {@link #finish}{@code (sum)}. A
 * received range that includes its checksum field is intact when its sum is 0xFFFF
 * ({@link #isValid}).
 *
 * <p>Speed: eight bytes per step. A 64-bit big-endian word contributes its two 32-bit halves to a
 * 64-bit accumulator; since 2^16 ≡ 1 (mod 2^16 − 1), a sum of 32-bit words folds to the same
 * ones' complement sum as the sum of its 16-bit words (RFC 1071 §2(C), deferred carries). The
 * accumulator cannot overflow: a range is shorter than 2^31 bytes, so fewer than 2^28 steps each
 * add less than 2^33. Nothing allocates.
 */
public final class Checksum {
    private Checksum() {
    }

    /** The ones' complement sum of {@code length} bytes at {@code offset}, folded: 0..0xFFFF. */
    public static int sum(MemorySegment seg, long offset, int length) {
        return sum(seg, offset, length, 0);
    }

    /**
     * As {@link #sum(MemorySegment, long, int)}, starting from {@code initial} (another partial
     * sum, e.g. {@link #pseudoHeaderSum}; read as an unsigned 32-bit value, so an unfolded sum is
     * fine too).
     */
    public static int sum(MemorySegment seg, long offset, int length, int initial) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        long acc = initial & 0xFFFF_FFFFL;
        long p = offset;
        long end = offset + length;
        for (long last = end - 8; p <= last; p += 8) {
            long w = seg.get(BigEndian.LONG, p);
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        if (end - p >= 4) {
            acc += seg.get(BigEndian.INT, p) & 0xFFFF_FFFFL;
            p += 4;
        }
        if (end - p >= 2) {
            acc += BigEndian.u16(seg, p);
            p += 2;
        }
        if (p < end) {
            acc += BigEndian.u8(seg, p) << 8;
        }
        return fold(acc);
    }

    /** Folds the carries of an unfolded sum back in (end-around carry): 0..0xFFFF. */
    public static int fold(long sum) {
        // Two folds bring any value below 2^48 to 17 bits at most, two more to 16.
        long s = (sum & 0xFFFF) + ((sum >>> 16) & 0xFFFF) + ((sum >>> 32) & 0xFFFF) + (sum >>> 48);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    /** The ones' complement sum of two partial sums. */
    public static int add(int a, int b) {
        return fold((a & 0xFFFF_FFFFL) + (b & 0xFFFF_FFFFL));
    }

    /** The checksum to write for a partial sum: its ones' complement. */
    public static int finish(int partialSum) {
        return ~fold(partialSum & 0xFFFF_FFFFL) & 0xFFFF;
    }

    /** The checksum of a range whose checksum field (if inside it) holds zero. */
    public static int compute(MemorySegment seg, long offset, int length) {
        return finish(sum(seg, offset, length, 0));
    }

    /** The checksum of a range after a pseudo-header's (or any other) partial sum. */
    public static int compute(MemorySegment seg, long offset, int length, int initial) {
        return finish(sum(seg, offset, length, initial));
    }

    /**
     * True if a received range, its checksum field included, sums to 0xFFFF (negative zero), i.e.
     * the checksum verifies (RFC 1071 §1(4)). Both encodings of a zero checksum verify.
     */
    public static boolean isValid(MemorySegment seg, long offset, int length, int initial) {
        return sum(seg, offset, length, initial) == 0xFFFF;
    }

    /**
     * The partial sum of the IPv4 pseudo-header that TCP and UDP checksums cover (RFC 793 §3.1,
     * RFC 768): source, destination, a zero byte, the protocol, and the TCP/UDP length.
     */
    public static int pseudoHeaderSum(int src, int dst, int protocol, int length) {
        long s = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + (protocol & 0xFF) + (length & 0xFFFF);
        return fold(s);
    }

    /**
     * The checksum after a 16-bit word of the covered data changed from {@code oldWord} to
     * {@code newWord}, without summing the data again: RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}.
     *
     * <p>It equals a recomputation except when every covered word is now zero, where it gives
     * 0x0000 and a recomputation 0xFFFF: the two encodings of zero, which both verify (RFC 1624 §3).
     * A UDP checksum of 0 means "none" and must not be updated.
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        long s = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }

    /** As {@link #update16} for a 32-bit field (an address), both halves at once. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long s = (~checksum & 0xFFFF)
                + (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }
}

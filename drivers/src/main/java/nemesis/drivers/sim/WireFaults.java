package nemesis.drivers.sim;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * What every emulated wire shares about faults: how a frame is corrupted so that checksums always
 * notice, which frames only a CRC would protect, and how a link's fault streams are seeded. Used by
 * the simulated {@link EthernetLink} and by the TAP card ({@code nemesis.drivers.tap.TapNic}), so
 * that both corrupt frames the same way. Pure: no state; the caller owns the random streams.
 */
public final class WireFaults {
    /** At most this many bits are flipped in one frame. */
    public static final int MAX_FLIPS = 3;

    private WireFaults() {
    }

    /**
     * Flips 1..{@value #MAX_FLIPS} bits after the 14-byte Ethernet header of {@code d[0, len)},
     * each at a bit position within its 16-bit word (counted from the frame's start, as IP's words
     * are) that no other flip uses, so the Internet checksum (RFC 1071) of IPv4, UDP and TCP always
     * catches it: a ones' complement sum misses only flips that cancel, two of the same bit position
     * in opposite directions.
     *
     * <p>Draws from {@code rng} in a fixed order (the count, then each bit, redrawn while its
     * position is taken): the same stream state gives the same flips.
     *
     * @param flipped if not null (at least {@value #MAX_FLIPS} long), receives the bit indexes
     *                flipped (byte = index / 8, bit = index % 8)
     * @return the number of bits flipped, 0 (and nothing drawn) if the frame has no byte after the header
     */
    public static int corrupt(byte[] d, int len, SplittableRandom rng, int[] flipped) {
        int firstBit = Frame.ETHERNET_HEADER_BYTES * 8;
        int bits = len * 8 - firstBit;
        if (bits <= 0) {
            return 0;
        }
        int n = 1 + rng.nextInt(MAX_FLIPS);
        int usedPositions = 0; // bit i: position i of a 16-bit word already flipped
        for (int k = 0; k < n; k++) {
            int bit;
            int position;
            do { // at least 8 positions are available and n <= 3: this ends
                bit = firstBit + rng.nextInt(bits);
                int byteIx = bit >>> 3;
                position = ((byteIx & 1) == 0 ? 8 : 0) + (bit & 7); // big endian: even byte is high
            } while ((usedPositions & (1 << position)) != 0);
            usedPositions |= 1 << position;
            d[bit >>> 3] ^= (byte) (1 << (bit & 7));
            if (flipped != null) {
                flipped[k] = bit;
            }
        }
        return n;
    }

    /**
     * EtherType 0x0806. An ARP frame has no checksum of its own: on a real wire only the CRC
     * catches its corruption, so a corrupted ARP frame must be dropped, not delivered (a flipped
     * sender address would be cached as the peer's and every frame sent to it lost until the entry
     * expired).
     */
    public static boolean isArp(byte[] d, int len) {
        return len >= Frame.ETHERNET_HEADER_BYTES && d[12] == 0x08 && d[13] == 0x06;
    }

    /**
     * The root seed of a link's fault streams: the scenario seed mixed with a 64-bit FNV-1a of
     * the link's name, so each named link gets its own streams.
     */
    public static long seed(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return seed * 0x9E3779B97F4A7C15L ^ h;
    }
}

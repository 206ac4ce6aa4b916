package nemesis.inet.tcp;

/**
 * Initial sequence numbers as RFC 6528 §3 (and RFC 9293 §3.4.1) asks:
 * {@code ISN = M + F(localip, localport, remoteip, remoteport, secretkey)}, with M a clock that
 * ticks every 4 µs — here read from the time argument, not a clock — and F a keyed hash:
 * SipHash-2-4 (Aumasson and Bernstein, 2012) under the configured 128-bit key, so runs repeat and
 * an off-path attacker who does not know the key cannot guess a connection's ISN. The same hash,
 * under another tag, gives the per-connection offset of the timestamp clock (RFC 7323 §5.4).
 * Pure; allocates nothing.
 */
public final class Isn {
    /** RFC 6528 §3: M, "a timer that is incremented every 4 microseconds". */
    public static final long M_TICK_NS = 4_000L;
    static final long TAG_ISN = 0x49534e0000000000L;
    static final long TAG_TS = 0x5453000000000000L;

    private Isn() {
    }

    /** The ISN for a connection opened at {@code nowNs}. */
    public static int isn(long k0, long k1, int localIp, int localPort, int remoteIp, int remotePort, long nowNs) {
        int m = (int) Math.floorDiv(nowNs, M_TICK_NS);
        return m + (int) f(k0, k1, localIp, localPort, remoteIp, remotePort, TAG_ISN);
    }

    /** The keyed hash F of the connection's four-tuple (and a tag, to derive independent values). */
    public static long f(long k0, long k1, int localIp, int localPort, int remoteIp, int remotePort, long tag) {
        long w0 = ((long) localIp << 32) | (remoteIp & 0xFFFF_FFFFL);
        long w1 = tag | ((long) (localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
        return sipHash24(k0, k1, w0, w1);
    }

    /** SipHash-2-4 of a 16-byte message given as two little-endian 64-bit words. */
    static long sipHash24(long k0, long k1, long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        // block m0
        v3 ^= m0;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= m0;
        // block m1
        v3 ^= m1;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= m1;
        // final block: the length (16) in the top byte, no message bytes left
        long b = 16L << 56;
        v3 ^= b;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= b;
        v2 ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}

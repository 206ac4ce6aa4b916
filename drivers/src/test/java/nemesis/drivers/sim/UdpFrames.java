package nemesis.drivers.sim;

/**
 * Ethernet/IPv4/UDP frames built by hand with correct checksums, and a receiver's check of them.
 * Local to the tests: the shared wire-format classes live elsewhere (nemesis.wire).
 */
public final class UdpFrames {
    public static final int HEADERS_BYTES = 14 + 20 + 8;

    private UdpFrames() {
    }

    /**
     * A frame from 10.0.0.1:5000 to 10.0.0.2:5001 (MACs 02:00:00:00:00:01 -> :02) whose payload
     * of {@code payloadBytes} starts with {@code seq} (4 bytes, big endian) followed by a pattern.
     */
    public static byte[] udp(int seq, int payloadBytes) {
        int ipLen = 20 + 8 + payloadBytes;
        byte[] f = new byte[14 + ipLen];
        byte[] dst = {2, 0, 0, 0, 0, 2};
        byte[] src = {2, 0, 0, 0, 0, 1};
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        put16(f, 12, 0x0800);
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, ipLen);
        put16(f, ip + 4, seq & 0xffff); // identification
        put16(f, ip + 6, 0x4000); // don't fragment
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        byte[] srcIp = {10, 0, 0, 1};
        byte[] dstIp = {10, 0, 0, 2};
        System.arraycopy(srcIp, 0, f, ip + 12, 4);
        System.arraycopy(dstIp, 0, f, ip + 16, 4);
        put16(f, ip + 10, checksum(f, ip, 20, 0));
        int udp = ip + 20;
        put16(f, udp, 5000);
        put16(f, udp + 2, 5001);
        put16(f, udp + 4, 8 + payloadBytes);
        for (int i = 0; i < payloadBytes; i++) {
            f[udp + 8 + i] = (byte) (i < 4 ? seq >>> (24 - 8 * i) : i * 7 + seq);
        }
        int c = checksum(f, udp, 8 + payloadBytes, pseudoHeaderSum(f, ip, 8 + payloadBytes));
        put16(f, udp + 6, c == 0 ? 0xffff : c); // RFC 768: a computed 0 is sent as all ones
        return f;
    }

    /** The sequence number {@link #udp} put in the payload. */
    public static int seq(byte[] f) {
        return (f[42] & 0xff) << 24 | (f[43] & 0xff) << 16 | (f[44] & 0xff) << 8 | (f[45] & 0xff);
    }

    /** What a receiving host would accept: a well-formed IPv4/UDP frame with both checksums good. */
    public static boolean accepted(byte[] f, int len) {
        if (len < HEADERS_BYTES || get16(f, 12) != 0x0800 || (f[14] & 0xff) != 0x45 || f[23] != 17) {
            return false;
        }
        int ip = 14;
        int ipLen = get16(f, ip + 2);
        if (ipLen < 28 || 14 + ipLen > len || checksum(f, ip, 20, 0) != 0) {
            return false;
        }
        int udp = ip + 20;
        int udpLen = get16(f, udp + 4);
        if (udpLen != ipLen - 20 || get16(f, udp + 6) == 0) { // we always send a checksum
            return false;
        }
        return checksum(f, udp, udpLen, pseudoHeaderSum(f, ip, udpLen)) == 0;
    }

    /** RFC 1071: ones' complement of the ones' complement sum of 16-bit words, plus {@code initial}. */
    static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += get16(b, off + i);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static long pseudoHeaderSum(byte[] f, int ip, int udpLen) {
        long s = 0;
        for (int i = 12; i < 20; i += 2) { // source and destination addresses
            s += get16(f, ip + i);
        }
        return s + 17 + udpLen;
    }

    static int get16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}

package nemesis.inet.wire;

/** Plain reference code for the tests: RFC 1071 §4.1 one word at a time, over byte arrays. */
final class Reference {
    private Reference() {
    }

    static int sum(byte[] b, int from, int len, int initial) {
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

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    /** The UDP checksum test of RFC 768 with the pseudo-header spelled out as bytes. */
    static boolean udpChecksumOk(byte[] b, int len, int src, int dst) {
        byte[] all = new byte[12 + len];
        for (int k = 0; k < 4; k++) {
            all[k] = (byte) (src >>> (24 - 8 * k));
            all[4 + k] = (byte) (dst >>> (24 - 8 * k));
        }
        all[9] = 17;
        all[10] = (byte) (len >>> 8);
        all[11] = (byte) len;
        System.arraycopy(b, 0, all, 12, len);
        return sum(all, 0, all.length, 0) == 0xFFFF;
    }

    static ArpPacket.Check arp(byte[] b, int n) {
        if (n < 28) {
            return ArpPacket.Check.TRUNCATED;
        }
        if (u16(b, 0) != 1 || (b[4] & 0xFF) != 6) {
            return ArpPacket.Check.UNSUPPORTED_HARDWARE;
        }
        if (u16(b, 2) != 0x0800 || (b[5] & 0xFF) != 4) {
            return ArpPacket.Check.UNSUPPORTED_PROTOCOL;
        }
        int op = u16(b, 6);
        return op == 1 || op == 2 ? ArpPacket.Check.OK : ArpPacket.Check.BAD_OPERATION;
    }

    static IcmpPacket.Check icmp(byte[] b, int n) {
        if (n < 8) {
            return IcmpPacket.Check.TRUNCATED;
        }
        return sum(b, 0, n, 0) == 0xFFFF ? IcmpPacket.Check.OK : IcmpPacket.Check.BAD_CHECKSUM;
    }

    static UdpDatagram.Check udp(byte[] b, int n, int src, int dst) {
        if (n < 8) {
            return UdpDatagram.Check.TRUNCATED;
        }
        int len = u16(b, 4);
        if (len < 8) {
            return UdpDatagram.Check.BAD_LENGTH;
        }
        if (len > n) {
            return UdpDatagram.Check.TRUNCATED;
        }
        if (u16(b, 6) != 0 && !udpChecksumOk(b, len, src, dst)) {
            return UdpDatagram.Check.BAD_CHECKSUM;
        }
        return UdpDatagram.Check.OK;
    }
}

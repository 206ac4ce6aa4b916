package nemesis.report;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.wire.Checksum;
import nemesis.wire.Ipv4Address;

/** Hand-built Ethernet/IPv4/TCP frames with correct lengths and checksums, written to a pcap. */
final class TcpFrames implements AutoCloseable {
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;

    static final int A = Ipv4Address.parse("10.0.0.1");
    static final int B = Ipv4Address.parse("10.0.0.2");

    private final PcapWriter out;
    private int ipId;
    /** Insert an 802.1Q tag in front of the IPv4 header. */
    boolean vlan;

    TcpFrames(Path file) throws IOException {
        out = PcapWriter.create(file);
    }

    /** A TCP segment from src to dst with {@code payload} bytes of data and {@code options} bytes of TCP options. */
    void tcp(long timeNs, int src, int sport, int dst, int dport, long seq, long ack, int flags, int window,
             int payload, int options) throws IOException {
        out.write(timeNs, frame(src, sport, dst, dport, seq, ack, flags, window, payload, options, vlan, ipId++), 0,
                frameLength(payload, options, vlan));
    }

    void tcp(long timeNs, int src, int sport, int dst, int dport, long seq, long ack, int flags, int window,
             int payload) throws IOException {
        tcp(timeNs, src, sport, dst, dport, seq, ack, flags, window, payload, 0);
    }

    /** Some other frame: an ARP request, to be skipped. */
    void arp(long timeNs) throws IOException {
        byte[] f = new byte[60];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0xFF;
        }
        f[12] = 0x08;
        f[13] = 0x06;
        out.write(timeNs, f, 0, f.length);
    }

    static int frameLength(int payload, int options, boolean vlan) {
        return Math.max(60, (vlan ? 18 : 14) + 20 + 20 + options + payload);
    }

    static byte[] frame(int src, int sport, int dst, int dport, long seq, long ack, int flags, int window,
                        int payload, int options, boolean vlan, int id) {
        int eth = vlan ? 18 : 14;
        int tcpLen = 20 + options + payload;
        int ipLen = 20 + tcpLen;
        byte[] f = new byte[frameLength(payload, options, vlan)]; // padded to the 60-byte minimum
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (0x02 + i);
            f[6 + i] = (byte) (0x12 + i);
        }
        if (vlan) {
            put16(f, 12, 0x8100);
            put16(f, 14, 7);
        }
        put16(f, eth - 2, 0x0800);
        int ip = eth;
        f[ip] = 0x45;
        put16(f, ip + 2, ipLen);
        put16(f, ip + 4, id);
        put16(f, ip + 6, 0x4000); // don't fragment
        f[ip + 8] = 64;
        f[ip + 9] = 6;
        put32(f, ip + 12, src);
        put32(f, ip + 16, dst);
        MemorySegment seg = MemorySegment.ofArray(f);
        put16(f, ip + 10, Checksum.compute(seg, ip, 20));
        int t = ip + 20;
        put16(f, t, sport);
        put16(f, t + 2, dport);
        put32(f, t + 4, (int) seq);
        put32(f, t + 8, (int) ack);
        f[t + 12] = (byte) ((20 + options) / 4 << 4);
        f[t + 13] = (byte) flags;
        put16(f, t + 14, window);
        for (int i = 0; i < options; i++) {
            f[t + 20 + i] = 1; // NOP
        }
        for (int i = 0; i < payload; i++) {
            f[t + 20 + options + i] = (byte) ('a' + i % 26);
        }
        put16(f, t + 16, Checksum.compute(seg, t, tcpLen, Checksum.pseudoHeaderSum(src, dst, 6, tcpLen)));
        return f;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

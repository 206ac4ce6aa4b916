package nemesis.report;

import static nemesis.report.TcpFrames.A;
import static nemesis.report.TcpFrames.ACK;
import static nemesis.report.TcpFrames.B;
import static nemesis.report.TcpFrames.PSH;
import static nemesis.report.TcpFrames.SYN;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Figure 4 style transfer, by hand: A:5001 sends B:6001 two 1460-byte segments at the start of
 * every 50 ms period (from 10 ms), B acknowledges every second segment with an 8760-byte window. In
 * period {@link #RETX_PERIOD} A also resends the previous period's second segment. The ISN sits just
 * below 2^32, so sequence numbers wrap. Around it: an ARP frame and a second connection A:5002 -> B:6001.
 */
final class Transfers {
    static final long ISN = 0xFFFF_F000L;
    static final long PEER_ISN = 77_000;
    static final int MSS = 1460;
    static final long START_NS = 10_000_000;
    static final long PERIOD_NS = 50_000_000;
    static final long WIRE_NS = 1_200_000; // one MTU packet on 10 Mb/s
    static final int RETX_PERIOD = 5;
    static final int WINDOW = 8760;

    private Transfers() {
    }

    /** Writes {@code periods} periods; windows in B's packets are sent shifted right by {@code shift}. */
    static void figure4(Path file, int periods, int shift, boolean vlan) throws IOException {
        try (TcpFrames f = new TcpFrames(file)) {
            f.vlan = vlan;
            f.arp(0);
            f.tcp(1_000_000, A, 5001, B, 6001, ISN, 0, SYN, 65535, 0, 4);
            f.tcp(2_000_000, B, 6001, A, 5001, PEER_ISN, ISN + 1, SYN | ACK, WINDOW, 0, 4); // SYN window unscaled
            f.tcp(3_000_000, A, 5001, B, 6001, ISN + 1, PEER_ISN + 1, ACK, 65535, 0);
            f.tcp(4_000_000, A, 5002, B, 6001, 5, 0, SYN, 65535, 0); // another connection
            long next = ISN + 1;
            for (int p = 0; p < periods; p++) {
                long t = START_NS + p * PERIOD_NS;
                for (int k = 0; k < 2; k++) {
                    f.tcp(t + k * WIRE_NS, A, 5001, B, 6001, next, PEER_ISN + 1, ACK | PSH, 65535, MSS);
                    next += MSS;
                }
                if (p == RETX_PERIOD) {
                    f.tcp(t + 2 * WIRE_NS, A, 5001, B, 6001, next - 3 * MSS, PEER_ISN + 1, ACK | PSH, 65535, MSS);
                }
                f.tcp(t + 2 * WIRE_NS + 200_000, A, 5002, B, 6001, 6 + p * 100L, 0, ACK, 65535, 100);
                f.tcp(t + 3 * WIRE_NS, B, 6001, A, 5001, PEER_ISN + 1, next, ACK, WINDOW >> shift, 0);
            }
        }
    }

    /** Relative sequence number of the first data byte of period p's k-th segment. */
    static long seq(int p, int k) {
        return (2L * p + k) * MSS;
    }
}

package nemesis.inet.peer;

import java.util.Locale;
import nemesis.inet.tcp.TcpConfig;

/**
 * How the simulated peer behaves as a TCP host: its TCP (receive window, delayed-ACK policy,
 * options, timers) and the CPU time it spends on each frame before its stack has it (the
 * {@link SimPeer#processingDelay} hook: one CPU, frames in arrival order). The paper's receivers
 * are a SPARCstation with SunOS ({@code kay}), a SPARCstation with NetBSD ({@code garuda}) and a
 * Pentium 200 with Linux.
 *
 * <h2>The values and what they rest on</h2>
 * Sources, cited from memory; <b>estimate</b> marks values no source fixes.
 * <ul>
 * <li>{@link #SUNOS} — SunOS 4.1.x, a 4.3BSD-Reno TCP. No RFC 1323 options and no SACK (both
 *   came with Solaris 2.x). Receive buffer 8192 bytes, <b>derived from the paper</b> rather than
 *   from SunOS's default: Stevens, TCP/IP Illustrated Vol. 1 (1994) §20.4 lists SunOS 4.1.3 among
 *   the systems defaulting to 4096, but the paper measured kay taking 8 MTU packets per 200 ms
 *   period "with almost no discrepancies" and a 3 ms slice alternating 2 and 3 packets (Figure 4's
 *   footnote). With a 4 KiB window (2 full segments) neither can happen under Nemesis's transmit
 *   scheduler, which discards the rest of a slice when the channel runs empty (short block, r = 0):
 *   the third segment only enters the channel after the ACK for the first two. 8 KiB (5 segments;
 *   Solaris 2.x's {@code tcp_recv_hiwat} default, and a common setting) reproduces both. Delayed
 *   ACKs on BSD's 200 ms fast timer, an ACK at once for every second full segment (4.3BSD's
 *   window-update rule has that effect); 500 ms slow timer, minimum RTO 1 s (2 ticks); MSS 1460
 *   on the local net; initial window 1 segment. Per-frame cost 300 µs + 0.4 µs/byte (≈ 0.9 ms for
 *   a full frame): <b>estimate</b> for a SPARCstation 2 class CPU that keeps up with 10 Mb/s.</li>
 * <li>{@link #NETBSD} — NetBSD 1.3/1.4, 4.4BSD-Lite2's TCP. Unlike SunOS it has RFC 1323:
 *   4.4BSD's {@code tcp_do_rfc1323} defaults to 1, so window scaling (shift 0 for its buffer) and
 *   timestamps are offered (Wright and Stevens, TCP/IP Illustrated Vol. 2, ch. 26–28); SACK came
 *   to NetBSD years later. Receive buffer 16384 bytes: <b>estimate</b> (4.4BSD-Lite's
 *   {@code tcp_recvspace} is 8192; NetBSD 1.x raised it to 16 KiB as far as we recall). Timers
 *   as SunOS. Per-frame cost 300 µs + 0.78 µs/byte (≈ 1.48 ms for a full frame): <b>calibrated</b>
 *   so that one bulk sender to it over 10 Mb/s gets ≈ 7.4 Mb/s (2^20 units; measured with
 *   {@code nemesis experiment fig5}), the paper's ≈ 7.5 Mb/s for c2 alone (Figure 5, "limited by
 *   how fast the receiver acknowledges").</li>
 * <li>{@link #LINUX} — Linux on a Pentium 200 (the paper's was 2.2). Timestamps, window scaling
 *   and SACK on ({@code tcp_timestamps}, {@code tcp_window_scaling}, {@code tcp_sack} all default
 *   to 1 since 2.2). Receive buffer 32 KiB (<b>estimate</b>: {@code rmem_default} 64 KiB, of which
 *   Linux offers about half as window). ACKs: one for every full segment, <b>measured</b>: over the
 *   TAP ({@code peer.kind: tap}) this machine's Linux acknowledged 0.98 of the segments of a
 *   10 Mb/s tcp_send and 0.86 at 45 Mb/s — its receiver acknowledges at once whenever the window
 *   it can offer has grown by a segment since the last ACK, and a reader that keeps up makes it grow
 *   with every segment; so does 2.2's {@code tcp_ack_snd_check} in spirit. Otherwise after at most
 *   40 ms ({@code TCP_DELACK_MIN} = HZ/25), modelled as a 40 ms tick. Minimum RTO 200 ms
 *   ({@code TCP_RTO_MIN} = HZ/5), timer granularity 10 ms (HZ = 100): its retransmit, persist and
 *   keepalive deadlines fall on 10 ms jiffies, not on BSD's 500 ms slow ticks (with those, a 200 ms
 *   timeout could fire at the next tick, at once). Initial window 2 segments (<b>estimate</b>).
 *   Per-frame cost 20 µs + 0.03 µs/byte (≈ 65 µs for a full frame): <b>estimate</b>, below the
 *   144 µs per segment that the paper's 81 Mb/s Linux-to-Linux figure allows.</li>
 * <li>{@link #IDEAL} — a modern TCP ({@link TcpConfig#modern()}) on an infinitely fast CPU: the
 *   default, and what tests use.</li>
 * </ul>
 *
 * @param processingFixedNs   CPU time per received frame
 * @param processingNsPerByte and per byte of the frame
 */
public record PeerProfile(String name, TcpConfig tcp, long processingFixedNs, double processingNsPerByte) {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    public static final PeerProfile IDEAL = new PeerProfile("ideal", TcpConfig.modern(), 0, 0);

    public static final PeerProfile SUNOS = new PeerProfile("sunos", TcpConfig.bsd44().toBuilder()
            .receiveBuffer(8192).sendBuffer(8192).initialWindow(1).build(), 300 * US, 400.0);

    public static final PeerProfile NETBSD = new PeerProfile("netbsd", TcpConfig.bsd44().toBuilder()
            .windowScaling(true).timestamps(true).sack(false)
            .receiveBuffer(16384).sendBuffer(16384).initialWindow(1).build(), 300 * US, 780.0);

    public static final PeerProfile LINUX = new PeerProfile("linux", TcpConfig.modern().toBuilder()
            .receiveBuffer(32768).sendBuffer(65536)
            .fastTickNs(40 * MS).quickAckSegments(16).ackEvery(1)
            .minRtoNs(200 * MS).rtoGranularityNs(10 * MS).slowTickNs(10 * MS)
            .initialWindow(2).build(), 20 * US, 30.0);

    public PeerProfile {
        if (name == null || tcp == null || processingFixedNs < 0 || processingNsPerByte < 0) {
            throw new IllegalArgumentException("a profile needs a name, a TCP configuration and costs >= 0");
        }
    }

    /** The CPU time a frame of {@code frameLength} bytes costs the peer. */
    public long processingNs(int frameLength) {
        return processingFixedNs + Math.round(processingNsPerByte * frameLength);
    }

    /** Whether frames cost the peer any time. */
    public boolean hasProcessingDelay() {
        return processingFixedNs > 0 || processingNsPerByte > 0;
    }

    /** {@code linux}, {@code sunos}, {@code netbsd} or {@code ideal} (any case). */
    public static PeerProfile named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linux" -> LINUX;
            case "sunos" -> SUNOS;
            case "netbsd" -> NETBSD;
            case "ideal" -> IDEAL;
            default -> throw new IllegalArgumentException("no peer profile " + name + " (linux, sunos, netbsd, ideal)");
        };
    }

    /** The same with another TCP configuration (say, another receive window). */
    public PeerProfile withTcp(TcpConfig c) {
        return new PeerProfile(name, c, processingFixedNs, processingNsPerByte);
    }
}

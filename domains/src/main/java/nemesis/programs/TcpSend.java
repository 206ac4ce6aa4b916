package nemesis.programs;

import java.util.List;
import nemesis.inet.InetMod;
import nemesis.inet.StreamPattern;
import nemesis.inet.TcpSocket;
import nemesis.inet.tcp.TcpCounters;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/**
 * The paper's tcp_send: opens a TCP connection through the domain's own InetMod and writes
 * {@code size}-byte chunks (one MSS by default: MTU-sized packets) as fast as it can — that is, as
 * fast as its CPU and transmit reservations and TCP allow — or at {@code rate}. With
 * {@code pattern} the stream is {@link StreamPattern}, which tcp_sink can check byte for byte.
 * After {@code bytes} it closes the connection and ends.
 *
 * <p>Stats: {@code bytes_sent} (written into the connection), {@code connect_ns} (time to
 * establish it), {@code write_wait_ns} (time spent waiting for payload buffers, i.e. for ACKs),
 * {@code retransmits}, {@code segments_sent}, {@code bytes_acked}, and {@code acked_in_window} (bytes
 * acknowledged since the warmup: the sender's measure of goodput when the receiver is not the
 * emulator's); {@code connected_at_ns} and, with {@code bytes}, {@code all_acked_at_ns} (when the
 * last byte was acknowledged: the transfer's own span, e.g. to compare with iperf's report).
 */
public final class TcpSend implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("tcp_send",
            "sends a TCP stream to `to`, as fast as its reservations allow or at `rate`",
            List.of(ArgSpec.required("to", ArgType.ENDPOINT,
                            "destination HOST:PORT: peer:PORT (the simulated peer) or A.B.C.D:PORT"),
                    ArgSpec.optional("size", ArgType.INTEGER, 1460L, "bytes per write (default: one MSS)"),
                    ArgSpec.optional("bytes", ArgType.INTEGER, null, "bytes to send, then close (absent: until the run ends)"),
                    ArgSpec.optional("rate", ArgType.RATE, null, "payload bits per second (absent: as fast as allowed)"),
                    ArgSpec.optional("pattern", ArgType.BOOLEAN, Boolean.TRUE,
                            "send a verifiable byte pattern (tcp_sink verify: pattern checks it)")),
            args -> new TcpSend(Endpoint.parse(args.getString("to")), (int) args.getLong("size", 1460),
                    args.getLong("bytes", 0), args.getLong("rate", 0),
                    !args.has("pattern") || args.getBoolean("pattern")));

    private final Endpoint to;
    private final int size;
    private final long bytes;
    private final long rateBps;
    private final boolean pattern;

    /** @param bytes 0: no end; @param rateBps 0: as fast as allowed */
    public TcpSend(Endpoint to, int size, long bytes, long rateBps, boolean pattern) {
        if (to.port() == 0) {
            throw new IllegalArgumentException("tcp_send needs a port in `to`: " + to);
        }
        if (size < 1 || size > 1 << 20 || bytes < 0 || rateBps < 0) {
            throw new IllegalArgumentException("size must be 1..1048576, bytes and rate not negative");
        }
        this.to = to;
        this.size = size;
        this.bytes = bytes;
        this.rateBps = rateBps;
        this.pattern = pattern;
    }

    @Override
    public void run(DomainContext ctx) throws Exception {
        DomainStats st = ctx.stats();
        InetMod inet = InetMod.attach(ctx);
        long t0 = ctx.nowNs();
        TcpSocket s = inet.connectTcp(to.resolve(ctx), to.port(), InetMod.txQos(ctx), Kernel.NEVER);
        st.set("connect_ns", ctx.nowNs() - t0);
        st.set("connected_at_ns", ctx.nowNs());
        byte[] chunk = new byte[size];
        long sent = 0;
        long start = ctx.nowNs();
        while (bytes == 0 || sent < bytes) {
            int n = (int) (bytes == 0 ? size : Math.min(size, bytes - sent));
            if (pattern) {
                StreamPattern.fill(chunk, 0, n, sent);
            }
            if (rateBps > 0) {
                long due = start + (long) (sent * 8e9 / rateBps);
                if (due > ctx.nowNs()) {
                    ctx.sleepUntil(due);
                }
            }
            long before = ctx.nowNs();
            s.writeFully(chunk, 0, n);
            st.add("write_wait_ns", ctx.nowNs() - before);
            sent += n;
            st.set("bytes_sent", sent);
            st.set("segments_sent", s.connection().counters().get(TcpCounters.Event.DATA_SEGS_SENT));
            st.set("retransmits", retransmits(s.connection().counters()));
            ackedInWindow(ctx, st, s);
        }
        // Wait for the last byte's acknowledgement: the end of the transfer as the sender sees it.
        while (s.connection().bytesAcked() < sent && s.state().isSynchronized()) {
            ctx.sleepUntil(ctx.nowNs() + ACK_POLL_NS);
        }
        st.set("all_acked_at_ns", ctx.nowNs());
        ackedInWindow(ctx, st, s);
        s.close();
        s.awaitClosed(Kernel.NEVER);
        ackedInWindow(ctx, st, s);
    }

    /** How often, after the last write, the sender looks whether everything has been acknowledged. */
    private static final long ACK_POLL_NS = 100_000L;

    private long ackedAtWarmup = -1;

    /**
     * The sender's own measure of goodput, for receivers the emulator does not see (a Linux program,
     * iperf): bytes the peer acknowledged since the end of the warmup ({@code acked_in_window}).
     */
    private void ackedInWindow(DomainContext ctx, DomainStats st, TcpSocket s) {
        long acked = s.connection().bytesAcked();
        st.set("bytes_acked", acked);
        if (ackedAtWarmup < 0 && ctx.nowNs() >= ctx.warmupEndNs()) {
            ackedAtWarmup = acked;
        }
        if (ackedAtWarmup >= 0) {
            st.set("acked_in_window", acked - ackedAtWarmup);
        }
    }

    static long retransmits(TcpCounters c) {
        return c.get(TcpCounters.Event.REXMT_SEGS_RTO) + c.get(TcpCounters.Event.REXMT_SEGS_FAST)
                + c.get(TcpCounters.Event.REXMT_SEGS_PARTIAL_ACK) + c.get(TcpCounters.Event.REXMT_SEGS_SACK)
                + c.get(TcpCounters.Event.REXMT_SEGS_RESCUE);
    }
}

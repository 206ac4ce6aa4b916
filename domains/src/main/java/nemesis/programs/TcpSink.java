package nemesis.programs;

import java.util.List;
import nemesis.inet.InetMod;
import nemesis.inet.StreamPattern;
import nemesis.inet.TcpServerSocket;
import nemesis.inet.TcpSocket;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/**
 * Receives TCP streams on {@code port} through the domain's own InetMod, each connection on a
 * thread of its own, and counts what reaches the application; with {@code verify: pattern} checks
 * every byte against {@link StreamPattern}.
 *
 * <p>Stats: {@code bytes} (received in the measured window), {@code bytes_total},
 * {@code connections}, {@code first_ns} and {@code last_ns} (of data in the measured window),
 * {@code goodput_bps} (bytes x 8 over the measured window's length so far), {@code verified}
 * (1 if every byte matched, 0 once one did not), {@code pattern_errors}.
 */
public final class TcpSink implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("tcp_sink",
            "receives TCP streams on `port`: goodput, and a byte-for-byte check of tcp_send's pattern",
            List.of(ArgSpec.required("port", ArgType.INTEGER, "local TCP port, 1..65535"),
                    ArgSpec.optional("verify", ArgType.STRING, "none",
                            "pattern: check every byte against tcp_send's pattern; none: do not")),
            args -> new TcpSink((int) args.getLong("port"), parseVerify(args.getString("verify", "none"))));

    private final int port;
    private final boolean verify;

    public TcpSink(int port, boolean verify) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        this.port = port;
        this.verify = verify;
    }

    static boolean parseVerify(String v) {
        return switch (v) {
            case "pattern" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("verify is pattern or none: " + v);
        };
    }

    @Override
    public void run(DomainContext ctx) throws Exception {
        DomainStats st = ctx.stats();
        st.set("bytes", 0L);
        st.set("connections", 0L);
        if (verify) {
            st.set("verified", 1L);
        }
        InetMod inet = InetMod.attach(ctx);
        TcpServerSocket listener = inet.listenTcp(port, InetMod.txQos(ctx));
        while (true) {
            TcpSocket s = listener.accept(Kernel.NEVER);
            if (s == null) {
                return;
            }
            st.add("connections", 1);
            ctx.spawn("conn" + st.getLong("connections"), () -> receive(ctx, s));
        }
    }

    private void receive(DomainContext ctx, TcpSocket s) {
        DomainStats st = ctx.stats();
        byte[] buf = new byte[16 * 1024];
        long offset = 0;
        int n;
        while ((n = s.read(buf, 0, buf.length, Kernel.NEVER)) >= 0) {
            long now = ctx.nowNs();
            if (verify && StreamPattern.firstMismatch(buf, 0, n, offset) >= 0) {
                st.set("verified", 0L);
                st.add("pattern_errors", 1);
            }
            offset += n;
            st.add("bytes_total", n);
            if (now >= ctx.warmupEndNs()) {
                if (st.getLong("bytes") == 0) {
                    st.set("first_ns", now);
                }
                st.add("bytes", n);
                st.set("last_ns", now);
                st.set("goodput_bps", st.getLong("bytes") * 8e9 / Math.max(1, now - ctx.warmupEndNs()));
            }
        }
        s.close();
        s.awaitClosed(Kernel.NEVER);
    }
}

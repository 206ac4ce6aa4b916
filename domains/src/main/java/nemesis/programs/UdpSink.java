package nemesis.programs;

import java.util.List;
import java.util.Map;
import nemesis.inet.InetMod;
import nemesis.inet.SinkMeter;
import nemesis.inet.UdpSocket;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/**
 * Receives UDP datagrams on {@code port} through the domain's own InetMod and measures them as the
 * peer's {@code udp_sink} does ({@link SinkMeter}): in the measured window (arrival at the program
 * at or after the warmup's end) {@code datagrams}, {@code bytes}, {@code first_ns},
 * {@code last_ns}, {@code goodput_bps}; over the run {@code datagrams_total}, {@code bytes_total},
 * {@code lost}, {@code duplicates}, {@code reordered}; with {@code verify: pattern},
 * {@code verified} (1 if every byte matched, else 0) and {@code pattern_errors}. The socket's
 * drops follow as {@code drop_<reason>}.
 */
public final class UdpSink implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("udp_sink",
            "receives UDP datagrams on `port`: goodput, loss, duplicates, reordering, pattern check",
            List.of(ArgSpec.required("port", ArgType.INTEGER, "local UDP port, 1..65535"),
                    ArgSpec.optional("verify", ArgType.STRING, "none",
                            "pattern: check every byte against udp_send's pattern; none: do not")),
            args -> new UdpSink((int) args.getLong("port"), verify(args.getString("verify", "none"))));

    private final int port;
    private final boolean verify;

    public UdpSink(int port, boolean verify) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        this.port = port;
        this.verify = verify;
    }

    static boolean verify(String v) {
        return switch (v) {
            case "pattern" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("verify is pattern or none, not '" + v + "'");
        };
    }

    @Override
    public void run(DomainContext ctx) throws Exception {
        InetMod inet = InetMod.attach(ctx);
        UdpSocket s = inet.openUdp(port, InetMod.txQos(ctx));
        SinkMeter meter = new SinkMeter(verify, ctx.warmupEndNs());
        publish(meter, s, ctx.stats());
        byte[] buf = new byte[nemesis.inet.wire.UdpDatagram.MAX_PAYLOAD];
        while (true) {
            int n = s.receive(buf, 0, buf.length, Kernel.NEVER);
            meter.record(buf, 0, n, ctx.nowNs());
            publish(meter, s, ctx.stats());
        }
    }

    private static void publish(SinkMeter m, UdpSocket s, DomainStats st) {
        for (Map.Entry<String, Object> e : m.figures().entrySet()) {
            switch (e.getValue()) {
                case Boolean b -> st.set(e.getKey(), b ? 1L : 0L);
                case Double d -> st.set(e.getKey(), d);
                case Number n -> st.set(e.getKey(), n.longValue());
                default -> { }
            }
        }
        for (Map.Entry<String, Long> e : s.counters().entrySet()) {
            if (e.getKey().startsWith("drop_")) {
                st.set(e.getKey(), e.getValue());
            }
        }
    }
}

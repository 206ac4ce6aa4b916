package nemesis.programs;

import java.util.List;
import nemesis.inet.InetMod;
import nemesis.inet.Pinger;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/**
 * ICMP echo, like ping(8): {@code count} requests of {@code size} data bytes, one every
 * {@code interval}, each answered within a second (or the interval, if longer) or lost. Stats:
 * {@code sent}, {@code received}, {@code lost}, {@code rtt_min_ns}, {@code rtt_avg_ns},
 * {@code rtt_max_ns}. The program ends after the last reply or timeout.
 */
public final class Ping implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("ping",
            "sends ICMP echo requests to `to` and records round-trip times",
            List.of(ArgSpec.required("to", ArgType.STRING, "host to ping: peer or an IPv4 address"),
                    ArgSpec.optional("count", ArgType.INTEGER, 10L, "requests to send"),
                    ArgSpec.optional("interval", ArgType.DURATION, 100_000_000L, "time between requests"),
                    ArgSpec.optional("size", ArgType.INTEGER, 56L,
                            "data bytes per request, 0.." + Pinger.MAX_DATA)),
            args -> new Ping(Endpoint.host(args.getString("to")), args.getLong("count", 10),
                    args.getLong("interval", 100_000_000L), (int) args.getLong("size", 56)));

    private static final long WAIT_NS = 1_000_000_000L;

    private final Endpoint to;
    private final long count;
    private final long intervalNs;
    private final int size;

    public Ping(Endpoint to, long count, long intervalNs, int size) {
        if (count < 1 || count > 0x10000 || intervalNs <= 0 || size < 0 || size > Pinger.MAX_DATA) {
            throw new IllegalArgumentException("ping: count 1..65536, interval > 0, size 0.." + Pinger.MAX_DATA
                    + ": " + count + ", " + intervalNs + ", " + size);
        }
        this.to = to;
        this.count = count;
        this.intervalNs = intervalNs;
        this.size = size;
    }

    @Override
    public void run(DomainContext ctx) throws Exception {
        DomainStats st = ctx.stats();
        st.set("sent", 0L);
        st.set("received", 0L);
        st.set("lost", 0L);
        InetMod inet = InetMod.attach(ctx);
        Pinger p = inet.openPing(InetMod.txQos(ctx));
        int dst = to.resolve(ctx);
        long start = ctx.nowNs();
        long rttMin = Long.MAX_VALUE;
        long rttMax = 0;
        long rttSum = 0;
        long received = 0;
        for (int seq = 0; seq < count; seq++) {
            if (p.send(dst, seq, size, Kernel.NEVER) >= 0) {
                st.set("sent", p.sent());
            }
            long until = seq + 1 < count ? start + (seq + 1) * intervalNs : ctx.nowNs() + Math.max(WAIT_NS, intervalNs);
            while (p.receive(until) >= 0) {
                long rtt = p.lastRttNs();
                received++;
                rttMin = Math.min(rttMin, rtt);
                rttMax = Math.max(rttMax, rtt);
                rttSum += rtt;
                st.set("received", received);
                st.set("rtt_min_ns", rttMin);
                st.set("rtt_avg_ns", rttSum / received);
                st.set("rtt_max_ns", rttMax);
            }
            if (ctx.nowNs() < until) {
                ctx.sleepUntil(until);
            }
        }
        st.set("lost", p.sent() - received);
        p.close();
    }
}

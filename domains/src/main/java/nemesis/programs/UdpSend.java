package nemesis.programs;

import java.util.List;
import nemesis.inet.InetMod;
import nemesis.inet.Pattern;
import nemesis.inet.UdpSocket;
import nemesis.inet.wire.UdpDatagram;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/**
 * Sends UDP datagrams through the domain's own InetMod: paced at {@code rate} (each datagram is
 * sent at its due time, sleeping in between), or back to back as fast as transmit buffers come
 * back — that is, as fast as the domain's transmit reservation ({@code tx} in the scenario) and
 * its CPU allow. With {@code pattern}, each payload carries its sequence number and a byte
 * pattern a sink can check ({@link Pattern}).
 *
 * <p>Stats: {@code datagrams_sent}, {@code bytes_sent} (payload), {@code send_wait_ns} (time spent
 * waiting for a transmit buffer), {@code unreachable} (datagrams not sent: no address for the
 * destination), {@code max_behind_ns} (the most a paced datagram went after its due time).
 */
public final class UdpSend implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("udp_send",
            "sends UDP datagrams to `to`, paced at `rate` or as fast as its transmit reservation allows",
            List.of(ArgSpec.required("to", ArgType.ENDPOINT,
                            "destination HOST:PORT: peer:PORT (the simulated peer) or A.B.C.D:PORT"),
                    ArgSpec.optional("size", ArgType.INTEGER, 1472L,
                            "payload bytes per datagram, 0..65507 (above 1472 it goes as IP fragments)"),
                    ArgSpec.optional("rate", ArgType.RATE, null,
                            "payload bits per second (absent: as fast as buffers and reservations allow)"),
                    ArgSpec.optional("count", ArgType.INTEGER, null,
                            "datagrams to send, then stop (absent: until the run ends)"),
                    ArgSpec.optional("pattern", ArgType.BOOLEAN, Boolean.TRUE,
                            "payload carries a sequence number and a byte pattern that udp_sink can verify"),
                    ArgSpec.optional("port", ArgType.INTEGER, 0L, "local port (0: the flow manager picks one)")),
            args -> new UdpSend(Endpoint.parse(args.getString("to")), (int) args.getLong("size", 1472),
                    args.getLong("rate", 0), args.getLong("count", 0), !args.has("pattern") || args.getBoolean("pattern"),
                    (int) args.getLong("port", 0)));

    /** Without a rate, after a failure, try again this much later (do not spin). */
    private static final long RETRY_NS = 10_000_000L;

    private final Endpoint to;
    private final int size;
    private final long rateBps;
    private final long count;
    private final boolean pattern;
    private final int localPort;

    /**
     * @param rateBps payload bits per second, 0: as fast as allowed
     * @param count   datagrams, 0: no end
     */
    public UdpSend(Endpoint to, int size, long rateBps, long count, boolean pattern, int localPort) {
        if (to.port() == 0) {
            throw new IllegalArgumentException("udp_send needs a port in `to`: " + to);
        }
        if (size < 0 || size > UdpDatagram.MAX_PAYLOAD) {
            throw new IllegalArgumentException("size must be 0.." + UdpDatagram.MAX_PAYLOAD + " bytes: " + size);
        }
        if (rateBps < 0 || count < 0 || localPort < 0 || localPort > 0xFFFF) {
            throw new IllegalArgumentException("rate, count and port must not be negative (port at most 65535)");
        }
        if (rateBps > 0 && size == 0) {
            throw new IllegalArgumentException("a rate needs a size above 0");
        }
        this.to = to;
        this.size = size;
        this.rateBps = rateBps;
        this.count = count;
        this.pattern = pattern;
        this.localPort = localPort;
    }

    @Override
    public void run(DomainContext ctx) throws Exception {
        DomainStats st = ctx.stats();
        st.set("datagrams_sent", 0L);
        st.set("bytes_sent", 0L);
        st.set("send_wait_ns", 0L);
        st.set("unreachable", 0L);
        InetMod inet = InetMod.attach(ctx);
        UdpSocket s = inet.openUdp(localPort, InetMod.txQos(ctx));
        int dst = to.resolve(ctx);
        byte[] payload = new byte[size];
        long intervalNs = rateBps > 0 ? Math.ceilDiv(size * 8_000_000_000L, rateBps) : 0;
        long dueNs = ctx.nowNs();
        long maxBehind = 0;
        for (long seq = 0; count == 0 || seq < count; seq++) {
            if (intervalNs > 0) {
                long now = ctx.nowNs();
                if (dueNs > now) {
                    ctx.sleepUntil(dueNs);
                } else if (now - dueNs > maxBehind) {
                    maxBehind = now - dueNs;
                    st.set("max_behind_ns", maxBehind);
                }
                dueNs += intervalNs;
            }
            if (pattern) {
                Pattern.fill(payload, 0, size, seq);
            }
            int r = s.send(dst, to.port(), payload, 0, size, Kernel.NEVER);
            if (r == UdpSocket.UNREACHABLE) {
                st.add("unreachable", 1);
                if (intervalNs == 0) {
                    ctx.sleepUntil(ctx.nowNs() + RETRY_NS);
                }
                continue;
            }
            st.set("datagrams_sent", s.datagramsSent());
            st.set("bytes_sent", s.bytesSent());
            st.set("send_wait_ns", s.sendWaitNs());
        }
        s.flush(Kernel.NEVER); // the last frames leave before the domain ends and its flow with it
    }
}

package nemesis.linux;

import java.util.Locale;

/**
 * A service the Linux side of a TAP run runs, as a scenario's {@code peer.services} declares it:
 * the Linux kernel's own TCP and UDP through sockets on namespace threads ({@code tcp_sink},
 * {@code tcp_send}, {@code udp_sink}, {@code udp_echo}), and standard tools as processes in the
 * namespace ({@code iperf_server}, {@code iperf_client}: iperf version 2; {@code ping}: iputils).
 * The counterpart of the simulated peer's {@link nemesis.inet.peer.PeerService}, with the same
 * names ({@link #name()}: the key of the service's figures) and figures where they do the same.
 *
 * <p>Times ({@code startNs}, ...) are emulator nanoseconds from the run's start; ports of senders
 * are the Nemesis host's.
 */
public sealed interface LinuxServiceSpec {
    /** The program, as a scenario names it. */
    String program();

    /**
     * The key of its figures: {@code program:port}; for ping {@code ping:ADDRESS}, the address it
     * pings (here the default Nemesis host's; the running service names the one it was given).
     */
    String name();

    /**
     * Accepts TCP connections on {@code port} and reads everything ({@code tcp_sink}): figures
     * of {@link nemesis.inet.StreamMeter}, every byte checked against
     * {@link nemesis.inet.StreamPattern} if {@code verifyPattern}.
     */
    record TcpSink(int port, boolean verifyPattern) implements LinuxServiceSpec {
        public TcpSink {
            checkPort(port);
        }

        @Override
        public String program() {
            return "tcp_sink";
        }

        @Override
        public String name() {
            return "tcp_sink:" + port;
        }
    }

    /**
     * Connects to the Nemesis host's {@code dstPort} at {@code startNs} and writes as fast as the
     * kernel takes it ({@code tcp_send}), the {@link nemesis.inet.StreamPattern} if {@code pattern}
     * (else zeros), {@code bytes} of it (0: until stopped), then closes.
     */
    record TcpSend(int dstPort, long bytes, long startNs, boolean pattern) implements LinuxServiceSpec {
        public TcpSend {
            checkPort(dstPort);
            if (bytes < 0 || startNs < 0) {
                throw new IllegalArgumentException("tcp_send: bytes and start >= 0: " + bytes + ", " + startNs);
            }
        }

        @Override
        public String program() {
            return "tcp_send";
        }

        @Override
        public String name() {
            return "tcp_send:" + dstPort;
        }
    }

    /**
     * Counts the datagrams arriving on {@code port} ({@code udp_sink}): figures of
     * {@link nemesis.inet.SinkMeter}, each checked against its {@link nemesis.inet.Pattern} if
     * {@code verifyPattern}.
     */
    record UdpSink(int port, boolean verifyPattern) implements LinuxServiceSpec {
        public UdpSink {
            checkPort(port);
        }

        @Override
        public String program() {
            return "udp_sink";
        }

        @Override
        public String name() {
            return "udp_sink:" + port;
        }
    }

    /** Sends every datagram arriving on {@code port} back ({@code udp_echo}). */
    record UdpEcho(int port) implements LinuxServiceSpec {
        public UdpEcho {
            checkPort(port);
        }

        @Override
        public String program() {
            return "udp_echo";
        }

        @Override
        public String name() {
            return "udp_echo:" + port;
        }
    }

    /**
     * {@code iperf -s -p PORT} (iperf 2) from the start of the run to its end, TCP. Its figures are
     * iperf's own final report of each connection.
     *
     * @param reportIntervalNs iperf's {@code -i} (0: final reports only)
     */
    record IperfServer(int port, long reportIntervalNs) implements LinuxServiceSpec {
        public IperfServer {
            checkPort(port);
            if (reportIntervalNs < 0) {
                throw new IllegalArgumentException("iperf_server: report interval >= 0: " + reportIntervalNs);
            }
        }

        public IperfServer(int port) {
            this(port, 0);
        }

        @Override
        public String program() {
            return "iperf_server";
        }

        @Override
        public String name() {
            return "iperf_server:" + port;
        }
    }

    /**
     * {@code iperf -c NEMESIS_HOST -p PORT -t DURATION} (iperf 2, TCP) from {@code startNs}.
     *
     * @param reportIntervalNs iperf's {@code -i} (0: final report only)
     */
    record IperfClient(int dstPort, long durationNs, long startNs, long reportIntervalNs) implements LinuxServiceSpec {
        public IperfClient {
            checkPort(dstPort);
            if (durationNs < 1_000_000L || startNs < 0 || reportIntervalNs < 0) {
                throw new IllegalArgumentException("iperf_client: duration >= 1ms, start and report interval >= 0: "
                        + durationNs + ", " + startNs + ", " + reportIntervalNs);
            }
        }

        public IperfClient(int dstPort, long durationNs, long startNs) {
            this(dstPort, durationNs, startNs, 0);
        }

        @Override
        public String program() {
            return "iperf_client";
        }

        @Override
        public String name() {
            return "iperf_client:" + dstPort;
        }
    }

    /**
     * {@code ping -c COUNT -i INTERVAL -s SIZE NEMESIS_HOST} from {@code startNs}; after the last
     * request it waits up to {@code waitNs} for replies when none came (ping's {@code -W}).
     */
    record Ping(int count, long intervalNs, int size, long startNs, long waitNs) implements LinuxServiceSpec {
        public static final long DEFAULT_WAIT_NS = 1_000_000_000L;

        public Ping {
            if (count < 1 || intervalNs < 1_000_000L || size < 0 || size > 65507 || startNs < 0 || waitNs < 1_000_000L) {
                throw new IllegalArgumentException("ping: count >= 1, interval >= 1ms, size 0..65507, start >= 0, "
                        + "wait >= 1ms: " + count + ", " + intervalNs + ", " + size + ", " + startNs + ", " + waitNs);
            }
        }

        public Ping(int count, long intervalNs, int size, long startNs) {
            this(count, intervalNs, size, startNs, DEFAULT_WAIT_NS);
        }

        @Override
        public String program() {
            return "ping";
        }

        @Override
        public String name() {
            return "ping:" + LinuxService.NEMESIS_HOST.getHostAddress();
        }
    }

    /**
     * {@code nc_sink}: {@code nc -l} (OpenBSD netcat) in the namespace, writing what one connection
     * brings to a file; at the end the file is counted and, with {@code verifyPattern}, checked
     * against {@link nemesis.inet.StreamPattern}.
     */
    record NcSink(int port, boolean verifyPattern) implements LinuxServiceSpec {
        public NcSink {
            checkPort(port);
        }

        @Override
        public String program() {
            return "nc_sink";
        }

        @Override
        public String name() {
            return "nc_sink:" + port;
        }
    }

    /**
     * {@code nc_send}: at {@code startNs}, {@code nc -N} sends a file of {@code bytes} bytes of
     * {@link nemesis.inet.StreamPattern} to the Nemesis host's {@code dstPort}, then closes.
     */
    record NcSend(int dstPort, long bytes, long startNs) implements LinuxServiceSpec {
        public NcSend {
            checkPort(dstPort);
            if (bytes <= 0 || bytes > 1L << 34 || startNs < 0) {
                throw new IllegalArgumentException("nc_send: bytes 1..16 GiB (a file is sent), start >= 0: " + bytes
                        + ", " + startNs);
            }
        }

        @Override
        public String program() {
            return "nc_send";
        }

        @Override
        public String name() {
            return "nc_send:" + dstPort;
        }
    }

    /**
     * The spec of a scenario's service ({@code peer.services}, {@code peer.kind: tap}): programs
     * tcp_sink, tcp_send, udp_sink, udp_echo, iperf_server, iperf_client, ping.
     */
    public static LinuxServiceSpec from(nemesis.scenario.PeerSpec.Service s) {
        boolean verify = "pattern".equals(s.verify());
        return switch (s.program().toLowerCase(Locale.ROOT)) {
            case "tcp_sink" -> new TcpSink(s.port(), verify);
            case "tcp_send" -> new TcpSend(s.port(), s.bytes(), s.startNs(), s.pattern());
            case "udp_sink" -> new UdpSink(s.port(), verify);
            case "udp_echo" -> new UdpEcho(s.port());
            case "iperf_server" -> new IperfServer(s.port());
            case "iperf_client" -> new IperfClient(s.port(), s.durationNs(), s.startNs());
            case "ping" -> new Ping(s.count(), s.intervalNs(), s.size(), s.startNs());
            case "nc_sink" -> new NcSink(s.port(), verify);
            case "nc_send" -> new NcSend(s.port(), s.bytes(), s.startNs());
            default -> throw new IllegalArgumentException("'" + s.program() + "' is not a service of a TAP peer "
                    + "(known: tcp_sink, tcp_send, udp_sink, udp_echo, iperf_server, iperf_client, ping, nc_sink, nc_send)");
        };
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }
}

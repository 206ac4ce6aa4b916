package nemesis.inet.peer;

/**
 * A program the simulated peer runs, as a scenario's {@code peer.services} declares it: a sink
 * per port like the paper's receivers (UDP and TCP), an echo, and, to drive the Nemesis host's
 * receivers, a source, a TCP sender and a pinger. {@link #name()} is the key of its figures in {@link SimPeer#report()}
 * ({@code "#2"}, {@code "#3"}... appended when two services would share a name).
 */
public sealed interface PeerService {
    String name();

    /**
     * Counts the datagrams and payload bytes arriving on {@code port} ({@code udp_sink}): see
     * {@link nemesis.inet.SinkMeter} for the figures.
     *
     * @param verifyPattern {@code verify: pattern} (true) or {@code none}
     */
    record UdpSink(int port, boolean verifyPattern) implements PeerService {
        public UdpSink {
            checkPort(port);
        }

        @Override
        public String name() {
            return "udp_sink:" + port;
        }
    }

    /** Sends every datagram arriving on {@code port} back to where it came from ({@code udp_echo}). */
    record UdpEcho(int port) implements PeerService {
        public UdpEcho {
            checkPort(port);
        }

        @Override
        public String name() {
            return "udp_echo:" + port;
        }
    }

    /**
     * Sends {@code count} datagrams (0: until the run ends) of {@code size} payload bytes from
     * {@code localPort} to {@code dstIp:dstPort}, from {@code startNs}, at {@code rateBps} bits of
     * payload per second (0: as fast as the wire takes them), with a {@link nemesis.inet.Pattern}
     * payload if {@code pattern}.
     */
    record UdpSource(int localPort, int dstIp, int dstPort, int size, long rateBps, long count, long startNs,
                     boolean pattern) implements PeerService {
        public UdpSource {
            checkPort(localPort);
            checkPort(dstPort);
            if (size < 0 || size > nemesis.inet.wire.UdpDatagram.MAX_PAYLOAD || rateBps < 0 || count < 0 || startNs < 0) {
                throw new IllegalArgumentException("udp source: size 0..65507, rate, count and start >= 0: " + size
                        + ", " + rateBps + ", " + count + ", " + startNs);
            }
            if (rateBps > 0 && size == 0) {
                throw new IllegalArgumentException("udp source: a rate needs a size > 0");
            }
        }

        @Override
        public String name() {
            return "udp_source:" + localPort;
        }
    }

    /** Sends {@code count} echo requests of {@code size} data bytes every {@code intervalNs} from {@code startNs}. */
    record Ping(int dstIp, int count, long intervalNs, int size, long startNs) implements PeerService {
        public Ping {
            if (count < 1 || intervalNs <= 0 || size < 0 || size > 65507 || startNs < 0) {
                throw new IllegalArgumentException("ping: count >= 1, interval > 0, size 0..65507, start >= 0: "
                        + count + ", " + intervalNs + ", " + size + ", " + startNs);
            }
        }

        @Override
        public String name() {
            return "ping:" + nemesis.wire.Ipv4Address.toString(dstIp);
        }
    }

    /**
     * Accepts TCP connections on {@code port} and counts the bytes of each stream
     * ({@code tcp_sink}): see {@link nemesis.inet.StreamMeter} for the figures.
     *
     * @param verifyPattern {@code verify: pattern} (true: every byte checked against the
     *                      {@link nemesis.inet.StreamPattern} at its offset) or {@code none}
     * @param profile       the receiver this port plays, its TCP and its CPU cost per frame
     *                      (null: the peer's own): the paper's Figure 5 has a SunOS and a NetBSD
     *                      receiver on one LAN, which one simulated host plays on two ports
     */
    record TcpSink(int port, boolean verifyPattern, PeerProfile profile) implements PeerService {
        public TcpSink {
            checkPort(port);
        }

        /** A sink that behaves as the peer's own profile. */
        public TcpSink(int port, boolean verifyPattern) {
            this(port, verifyPattern, null);
        }

        @Override
        public String name() {
            return "tcp_sink:" + port;
        }
    }

    /**
     * Connects to {@code dstIp:dstPort} at {@code startNs} and sends as fast as TCP allows
     * ({@code tcp_send}), the {@link nemesis.inet.StreamPattern} if {@code pattern}, then closes:
     * {@code bytes} of them (0: until the run ends).
     */
    record TcpSend(int dstIp, int dstPort, long bytes, long startNs, boolean pattern) implements PeerService {
        public TcpSend {
            checkPort(dstPort);
            if (bytes < 0 || startNs < 0) {
                throw new IllegalArgumentException("tcp_send: bytes and start >= 0: " + bytes + ", " + startNs);
            }
        }

        @Override
        public String name() {
            return "tcp_send:" + dstPort;
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }
}

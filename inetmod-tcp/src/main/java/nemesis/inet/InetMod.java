package nemesis.inet;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientChannels;
import nemesis.inet.tcp.TcpConfig;
import nemesis.inet.flowman.FlowManagerClient;
import nemesis.inet.flowman.PortInUseException;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;

/**
 * InetMod: the protocol stack a domain links (the paper's "InetMod"; digest §3–§4). Everything
 * on the data path runs here, on the domain's own CPU time, over the domain's own I/O channels:
 * the flow manager is asked only for what must be shared (ports, addresses, ARP) and the driver
 * only multiplexes.
 *
 * <p>One per domain: {@link #attach} binds to the flow manager. Each socket ({@link UdpSocket},
 * {@link Pinger}) is one flow: its own pair of channels to the driver, registered with its own
 * transmit reservation, one local port. Destination Ethernet addresses resolved through the flow
 * manager are kept here for {@value #MAC_LIFETIME_S} s (as long as the flow manager's ARP entries
 * live), so sending does not cost an IDC call per packet.
 *
 * <p>Not thread-safe: threads of a domain may share an InetMod or a socket only if they do not
 * use it at the same time (a thread can be switched out at any kernel entry, e.g. while a send
 * waits for a transmit buffer).
 */
public final class InetMod {
    /** Where the set-up publishes the peer's address (an {@code Integer}) for programs that name {@code peer}. */
    public static final String PEER_IP_KEY = "peer.ip";
    /** {@code TX_QOS_KEY_PREFIX + domain name}: the domain's transmit reservation (a {@link Qos}), from its scenario {@code tx}. */
    public static final String TX_QOS_KEY_PREFIX = "tx.qos.";
    /** A domain with no {@code tx} section sends on extra time only. */
    public static final Qos DEFAULT_TX_QOS = Qos.extraOnly(10_000_000L);
    public static final int MAC_LIFETIME_S = 60;
    private static final long MAC_LIFETIME_NS = MAC_LIFETIME_S * 1_000_000_000L;
    /** An unreachable address is not asked about again for this long. */
    private static final long UNREACHABLE_LIFETIME_NS = 1_000_000_000L;
    /** Receive buffers primed per socket (as the release's flow manager primed 16). */
    public static final int RX_BUFFERS = 16;
    /**
     * Transmit buffers per socket: all of them fit in the channel's return FIFO
     * ({@code TX_SLOTS / 3} two-record packets), so the driver never has to skip the channel
     * waiting for us to take sent buffers back, and our last frames never wait for our next send.
     */
    public static final int TX_BUFFERS = ClientChannels.TX_SLOTS / 3;
    private static final int MAC_CACHE = 8;

    private final DomainContext ctx;
    private final FlowManagerClient flowman;
    private final HostConfig config;
    private final DomainContext driver;
    private final InetCosts costs;
    private int sockets;

    // ---- destination MACs: a few entries, replaced round robin (a domain talks to few hosts)
    private final int[] cacheIp = new int[MAC_CACHE];
    private final long[] cacheMac = new long[MAC_CACHE];
    private final long[] cacheUntilNs = new long[MAC_CACHE];
    private int cacheUsed;
    private int cacheNext;
    private long macHits;
    private long macResolutions;

    private InetMod(DomainContext ctx, FlowManagerClient flowman) {
        this.ctx = ctx;
        this.flowman = flowman;
        this.config = flowman.config();
        this.driver = flowman.driverDomain();
        this.costs = new InetCosts(ctx.machine());
    }

    /** Binds the calling domain to the flow manager, waiting for it to be up. */
    public static InetMod attach(DomainContext ctx) {
        return attach(ctx, Kernel.NEVER);
    }

    public static InetMod attach(DomainContext ctx, long untilNs) {
        return new InetMod(ctx, FlowManagerClient.connect(ctx, untilNs));
    }

    /** The transmit reservation the set-up gave {@code ctx}'s domain, or {@link #DEFAULT_TX_QOS}. */
    public static Qos txQos(DomainContext ctx) {
        Qos q = ctx.lookup(TX_QOS_KEY_PREFIX + ctx.name(), Qos.class);
        return q != null ? q : DEFAULT_TX_QOS;
    }

    /** The peer's address as the set-up published it. */
    public static int peerIp(DomainContext ctx) {
        Integer ip = ctx.lookup(PEER_IP_KEY, Integer.class);
        if (ip == null) {
            throw new IllegalStateException("no peer on this machine: nothing published '" + PEER_IP_KEY + "'");
        }
        return ip;
    }

    public HostConfig config() {
        return config;
    }

    public DomainContext domain() {
        return ctx;
    }

    public FlowManagerClient flowManager() {
        return flowman;
    }

    public InetCosts costs() {
        return costs;
    }

    /**
     * A UDP socket on {@code localPort} (0: any free one) sending with transmit reservation
     * {@code txQos}.
     *
     * @throws PortInUseException if the port is taken
     * @throws AdmissionException if the transmit reservation does not fit
     */
    public UdpSocket openUdp(int localPort, Qos txQos) throws AdmissionException {
        Flow f = openFlow("udp", nemesis.wire.Ipv4Packet.PROTO_UDP, localPort, txQos);
        return new UdpSocket(this, f.channels, f.id, f.port);
    }

    /** An ICMP echo client with an identifier of its own. */
    public Pinger openPing(Qos txQos) throws AdmissionException {
        Flow f = openFlow("ping", nemesis.wire.Ipv4Packet.PROTO_ICMP, 0, txQos);
        return new Pinger(this, f.channels, f.id, f.port);
    }

    /** TCP as the machine profile has it: 4.4BSD-era on the paper's machines, modern options otherwise. */
    public TcpConfig tcpConfig() {
        TcpConfig base = ctx.machine().value("tcp.modern_options", 1) != 0 ? TcpConfig.modern() : TcpConfig.bsd44();
        return base.toBuilder().mss(config.mtu() - 40).build();
    }

    /**
     * Opens a TCP connection to {@code ip:port} with transmit reservation {@code txQos}, waiting
     * until it is established or {@code untilNs}.
     *
     * @throws TcpSocket.ConnectionFailedException if it is refused, unreachable or times out
     * @throws AdmissionException                  if the transmit reservation does not fit
     */
    public TcpSocket connectTcp(int ip, int port, Qos txQos, long untilNs) throws AdmissionException {
        return connectTcp(ip, port, txQos, tcpConfig(), untilNs);
    }

    public TcpSocket connectTcp(int ip, int port, Qos txQos, TcpConfig tcp, long untilNs) throws AdmissionException {
        long mac = macFor(ip);
        if (mac < 0) {
            throw new TcpSocket.ConnectionFailedException(nemesis.wire.Ipv4Address.toString(ip) + " is unreachable");
        }
        String name = ctx.name() + ".tcp" + sockets++;
        ClientChannels ch = tcpChannels(name, tcp);
        int id = flowman.open(ch, txQos);
        int local;
        try {
            local = flowman.bind(id, nemesis.wire.Ipv4Packet.PROTO_TCP, 0);
            flowman.connect(id, ip, port);
        } catch (RuntimeException e) {
            flowman.close(id);
            throw e;
        }
        TcpSocket s = new TcpSocket(this, ch, id, tcp, local, ip, port, mac, name);
        s.start();
        s.connect(untilNs);
        return s;
    }

    /**
     * Listens on TCP {@code port} (0: any); each connection accepted gets a flow of its own with
     * transmit reservation {@code txQos}.
     */
    public TcpServerSocket listenTcp(int port, Qos txQos) throws AdmissionException {
        TcpConfig tcp = tcpConfig();
        ClientChannels ch = ClientChannels.open(ctx, driver, ctx.name() + ".listen" + sockets++, RX_BUFFERS, 4);
        int id = flowman.open(ch, txQos);
        int bound;
        try {
            bound = flowman.bind(id, nemesis.wire.Ipv4Packet.PROTO_TCP, port);
        } catch (RuntimeException e) {
            flowman.close(id);
            throw e;
        }
        return new TcpServerSocket(this, ch, id, bound, txQos, tcp);
    }

    /** A connection for a SYN that reached {@code listener}: a flow of its own on the same port. */
    TcpSocket acceptTcp(TcpServerSocket listener, int listenerFlow, int port, int remoteIp, int remotePort,
                        long remoteMac, Qos txQos, TcpConfig tcp, String name) throws AdmissionException {
        ClientChannels ch = tcpChannels(name, tcp);
        int id = flowman.open(ch, txQos);
        try {
            flowman.accept(id, listenerFlow, remoteIp, remotePort);
        } catch (RuntimeException e) {
            flowman.close(id);
            throw e;
        }
        TcpSocket s = new TcpSocket(this, ch, id, tcp, port, remoteIp, remotePort, remoteMac, name);
        s.start();
        return s;
    }

    /** A connection's channels: header buffers, and payload buffers of one MSS holding the send buffer. */
    private ClientChannels tcpChannels(String name, TcpConfig tcp) {
        int payloads = Math.max(4, Math.ceilDiv(tcp.sendBuffer(), tcp.mss()));
        return ClientChannels.openSplit(ctx, driver, name, TcpSocket.RX_BUFFERS, TcpSocket.HEADER_BUFFERS, payloads,
                tcp.mss());
    }

    private record Flow(ClientChannels channels, int id, int port) {
    }

    private Flow openFlow(String kind, int protocol, int port, Qos txQos) throws AdmissionException {
        ClientChannels ch = ClientChannels.open(ctx, driver, ctx.name() + "." + kind + sockets++, RX_BUFFERS, TX_BUFFERS);
        int id = flowman.open(ch, txQos);
        try {
            return new Flow(ch, id, flowman.bind(id, protocol, port));
        } catch (RuntimeException e) {
            flowman.close(id);
            throw e;
        }
    }

    /**
     * The Ethernet address to send to for {@code ip}, or -1 if it cannot be reached: from the
     * cache, else asked of the flow manager (which may have to ARP for it; the caller waits).
     */
    public long macFor(int ip) {
        long now = ctx.nowNs();
        for (int i = 0; i < cacheUsed; i++) {
            if (cacheIp[i] == ip && now < cacheUntilNs[i]) {
                macHits++;
                return cacheMac[i];
            }
        }
        macResolutions++;
        long mac = flowman.resolve(ip);
        int slot = -1;
        for (int i = 0; i < cacheUsed; i++) {
            if (cacheIp[i] == ip) {
                slot = i;
            }
        }
        if (slot < 0) {
            if (cacheUsed < MAC_CACHE) {
                slot = cacheUsed++;
            } else {
                slot = cacheNext;
                cacheNext = (cacheNext + 1) % MAC_CACHE;
            }
        }
        cacheIp[slot] = ip;
        cacheMac[slot] = mac;
        cacheUntilNs[slot] = ctx.nowNs() + (mac < 0 ? UNREACHABLE_LIFETIME_NS : MAC_LIFETIME_NS);
        return mac;
    }

    /** Sends that found the destination's Ethernet address in the cache. */
    public long macHits() {
        return macHits;
    }

    /** Times the flow manager was asked for an Ethernet address. */
    public long macResolutions() {
        return macResolutions;
    }
}

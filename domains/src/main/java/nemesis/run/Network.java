package nemesis.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientBinding;
import nemesis.drivers.NetworkDriver;
import nemesis.drivers.SimNic;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.drivers.sim.Capture;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.drivers.sim.LinkCounters;
import nemesis.drivers.sim.LinkEvent;
import nemesis.inet.HostConfig;
import nemesis.inet.flowman.FlowManager;
import nemesis.inet.peer.PeerProfile;
import nemesis.inet.peer.PeerService;
import nemesis.inet.peer.SimPeer;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.scenario.DomainSpec;
import nemesis.scenario.LinkSpec;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;
import nemesis.wire.Ipv4Address;
import nemesis.wire.MacAddress;

/**
 * The network a scenario's {@code link} describes, built around a kernel: the Nemesis host's card,
 * the driver domain and the flow manager domain, and the far end — the simulated Ethernet (with its
 * faults and an optional pcap) and the simulated peer, or a TAP device to the Linux kernel in a
 * network namespace ({@code peer.kind: tap}, real time).
 *
 * <p>Addresses: on the simulated wire 192.0.2.0/24 (TEST-NET-1, RFC 5737), the Nemesis host .1,
 * the peer .2; over a TAP 198.51.100.0/24 (TEST-NET-2) likewise, so that real traffic can never
 * be mistaken for the simulated network's or for any real network's.
 */
public final class Network {
    public static final int HOST_IP = Ipv4Address.parse("192.0.2.1");
    public static final int PEER_IP = Ipv4Address.parse("192.0.2.2");
    public static final int TAP_HOST_IP = Ipv4Address.parse("198.51.100.1");
    public static final int TAP_PEER_IP = Ipv4Address.parse("198.51.100.2");
    public static final long HOST_MAC = MacAddress.parse("02:00:00:00:00:01");
    public static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:02");
    public static final int MTU = 1500;

    /** What is at the other end of the host's card: a simulated wire and host, or a TAP to Linux. */
    interface FarEnd {
        /** Starts what must run before the machine does (the Linux side's listeners). */
        default void start() throws IOException {
        }

        /** Stops the far end's programs at the end of the run, before their figures are read. */
        default void stop() {
        }

        /** The contract's {@code link} figures and more. */
        Map<String, Object> linkFigures();

        /** The peer's services' figures, or null without a peer. */
        Map<String, Object> peerFigures();

        void close() throws IOException;
    }

    private final NetworkDriver driver;
    private final FlowManager flowman;
    private final HostConfig host;
    private final FarEnd far;

    private Network(NetworkDriver driver, FlowManager flowman, HostConfig host, FarEnd far) {
        this.driver = driver;
        this.flowman = flowman;
        this.host = host;
        this.far = far;
    }

    /** Builds the network of {@code s} into {@code k} (before the run). */
    public static Network build(Scenario s, Kernel k) throws IOException {
        boolean tap = s.peer() != null && "tap".equals(s.peer().kind());
        return tap ? TapEnd.build(s, k) : buildSimulated(s, k);
    }

    private static Network buildSimulated(Scenario s, Kernel k) throws IOException {
        LinkSpec ls = s.link();
        MachineProfile m = k.machine();
        FramePool pool = new FramePool(8192);
        LinkConfig config = new LinkConfig(ls.rateBps(), ls.overheadBytes(), true, ls.delayNs(),
                new Faults(ls.loss(), ls.duplicate(), ls.reorder(), ls.corrupt()));
        EthernetLink link = new EthernetLink("link", config, s.seed(), k::at, pool);
        PcapWriter pcap = openPcap(ls);
        if (pcap != null) {
            link.capture(Capture.pcap(pcap));
        }
        SimNic nic = new SimNic("eth0", HOST_MAC, MTU, (int) m.value("nic.tx_descriptors", 31),
                (int) m.value("nic.rx_ring", 64), link, End.A, k);
        Network net = host(s, k, nic, ls.rateBps(), HOST_IP, PEER_IP, null);
        SimPeer peer = null;
        if (s.peer() != null) {
            java.util.List<PeerService> services = new java.util.ArrayList<>();
            for (nemesis.scenario.PeerSpec.Service sv : s.peer().services()) {
                boolean verify = "pattern".equals(sv.verify());
                services.add(switch (sv.program()) {
                    case "udp_sink" -> new PeerService.UdpSink(sv.port(), verify);
                    case "udp_echo" -> new PeerService.UdpEcho(sv.port());
                    case "tcp_sink" -> new PeerService.TcpSink(sv.port(), verify,
                            sv.profile() == null ? null : PeerProfile.named(sv.profile()));
                    case "tcp_send" -> new PeerService.TcpSend(HOST_IP, sv.port(), sv.bytes(), sv.startNs(), sv.pattern());
                    default -> throw new IllegalArgumentException("no peer service " + sv.program());
                });
            }
            peer = SimPeer.on(k, "peer", new HostConfig(PEER_IP, 24, 0, PEER_MAC, MTU), link, End.B, s.warmupNs(),
                    services, PeerProfile.named(s.peer().profile()));
        }
        return net.withFarEnd(new SimEnd(link, peer, pcap));
    }

    /** The capture file of the link, its directory made, or null. */
    static PcapWriter openPcap(LinkSpec ls) throws IOException {
        if (ls.pcap() == null) {
            return null;
        }
        Path parent = ls.pcap().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return PcapWriter.create(ls.pcap());
    }

    /**
     * The Nemesis host around its card: the driver domain (charging wire time at
     * {@code chargeRateBps}), the flow manager, and what the domains learn from the machine (the
     * peer's address, their transmit reservations).
     */
    static Network host(Scenario s, Kernel k, nemesis.drivers.Nic nic, long chargeRateBps, int hostIp, int peerIp,
                        FarEnd far) {
        LinkSpec ls = s.link();
        MachineProfile m = k.machine();
        NetworkDriver driver = new NetworkDriver(ScenarioParser.DRIVER, nic, chargeRateBps, hostIp, s.txCapPpb());
        Qos driverCpu = ls.driverCpu() != null ? ls.driverCpu() : ScenarioParser.defaultDriverCpu(m);
        k.createDomain(ScenarioParser.DRIVER, "driver", driverCpu, driver, 0);
        HostConfig host = new HostConfig(hostIp, 24, 0, HOST_MAC, MTU);
        FlowManager flowman = new FlowManager(ScenarioParser.DRIVER, host);
        k.createDomain(ScenarioParser.FLOWMAN, "flowman", ScenarioParser.FLOWMAN_CPU, flowman, 0);
        k.export(nemesis.inet.InetMod.PEER_IP_KEY, peerIp);
        for (DomainSpec d : s.domains()) {
            if (d.tx() != null) {
                k.export(nemesis.inet.InetMod.TX_QOS_KEY_PREFIX + d.name(), d.tx());
            }
        }
        return new Network(driver, flowman, host, far);
    }

    Network withFarEnd(FarEnd f) {
        return new Network(driver, flowman, host, f);
    }

    /** Starts the far end's programs that must run before the machine (the Linux side's listeners). */
    public void start() throws IOException {
        far.start();
    }

    /** Stops the far end's programs: their figures are final after this. */
    public void stop() {
        far.stop();
    }

    public NetworkDriver driver() {
        return driver;
    }

    public HostConfig host() {
        return host;
    }

    /** Stops the far end if still running, and closes it (flushes the capture, removes what it set up). */
    public void close() throws IOException {
        far.stop();
        far.close();
    }

    /** The transmit reservation of the first flow of {@code d}, or null if it has none. */
    public Qos txQosOf(Domain d) {
        for (ClientBinding b : driver.bindings()) {
            if (b.client() == d) {
                return driver.txQos(b);
            }
        }
        return null;
    }

    /** The {@code tx} figures of a domain: its flows' frames and wire time in the measured window. */
    public Map<String, Object> txOf(Domain d) {
        long g = 0;
        long x = 0;
        long frames = 0;
        long bytes = 0;
        long spoofed = 0;
        for (ClientBinding b : driver.bindings()) {
            if (b.client() == d) {
                g += b.measuredGuaranteedNs();
                x += b.measuredExtraNs();
                frames += b.measuredFrames();
                bytes += b.measuredBytes();
                spoofed += b.spoofed();
            }
        }
        Map<String, Object> tx = new LinkedHashMap<>();
        tx.put("guaranteed_ns", g);
        tx.put("extra_ns", x);
        tx.put("frames", frames);
        tx.put("bytes", bytes);
        if (spoofed > 0) {
            tx.put("refused_by_filter", spoofed);
        }
        return tx;
    }

    /** The contract's {@code link} figures, both directions, and more (per direction, the driver's drops). */
    public Map<String, Object> linkFigures() {
        Map<String, Object> l = far.linkFigures();
        Map<String, Long> drops = driver.counters().nonZero();
        if (!drops.isEmpty()) {
            l.put("driver_drops", drops);
        }
        l.put("nic_rx_overruns", driver.nic().rxOverruns());
        return l;
    }

    public Map<String, Long> flowmanFigures() {
        return flowman.stats();
    }

    /** The peer's services' figures (null without a peer). */
    public Map<String, Object> peerFigures() {
        return far.peerFigures();
    }

    /** The figures of the peer's sink (UDP or TCP) on {@code port}, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> peerService(int port) {
        Map<String, Object> report = far.peerFigures();
        if (report == null) {
            return null;
        }
        for (Map.Entry<String, Object> e : report.entrySet()) {
            String key = e.getKey();
            boolean sink = key.equals("udp_sink:" + port) || key.equals("tcp_sink:" + port);
            if (sink && e.getValue() instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
        return null;
    }

    /** The simulated wire and host. */
    private record SimEnd(EthernetLink link, SimPeer peer, PcapWriter pcap) implements FarEnd {
        @Override
        public Map<String, Object> linkFigures() {
            LinkCounters out = link.counters(End.A);
            LinkCounters in = link.counters(End.B);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("frames", out.frames() + in.frames());
            l.put("bytes", out.bytes() + in.bytes());
            l.put("dropped", out.dropped() + in.dropped());
            l.put("corrupted", out.count(LinkEvent.CORRUPT) + in.count(LinkEvent.CORRUPT));
            l.put("duplicated", out.count(LinkEvent.DUPLICATE) + in.count(LinkEvent.DUPLICATE));
            l.put("reordered", out.count(LinkEvent.REORDER) + in.count(LinkEvent.REORDER));
            l.put("rate_bps", link.config().rateBps());
            Map<String, Object> dir = new LinkedHashMap<>();
            dir.put("frames", out.frames());
            dir.put("bytes", out.bytes());
            dir.put("wire_time_ns", out.wireTimeNs());
            l.put("host_to_peer", dir);
            Map<String, Object> back = new LinkedHashMap<>();
            back.put("frames", in.frames());
            back.put("bytes", in.bytes());
            back.put("wire_time_ns", in.wireTimeNs());
            l.put("peer_to_host", back);
            return l;
        }

        @Override
        public Map<String, Object> peerFigures() {
            return peer == null ? null : peer.report();
        }

        @Override
        public void close() throws IOException {
            if (pcap != null) {
                pcap.close();
            }
        }
    }
}

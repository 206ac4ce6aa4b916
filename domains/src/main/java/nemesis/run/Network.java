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
 * The network a scenario's {@code link} describes, built around a kernel: the simulated Ethernet
 * (with its faults and an optional pcap), the Nemesis host's card, the driver domain and the flow
 * manager domain, and the peer at the far end.
 *
 * <p>Addresses come from 192.0.2.0/24 (TEST-NET-1, RFC 5737): the Nemesis host is .1, the peer .2.
 */
public final class Network {
    public static final int HOST_IP = Ipv4Address.parse("192.0.2.1");
    public static final int PEER_IP = Ipv4Address.parse("192.0.2.2");
    public static final long HOST_MAC = MacAddress.parse("02:00:00:00:00:01");
    public static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:02");
    public static final int MTU = 1500;

    private final EthernetLink link;
    private final NetworkDriver driver;
    private final FlowManager flowman;
    private final PcapWriter pcap;
    private final HostConfig host;
    private final SimPeer peer;

    private Network(EthernetLink link, NetworkDriver driver, FlowManager flowman, PcapWriter pcap, HostConfig host,
                    SimPeer peer) {
        this.link = link;
        this.driver = driver;
        this.flowman = flowman;
        this.pcap = pcap;
        this.host = host;
        this.peer = peer;
    }

    /** Builds the network of {@code s} into {@code k} (before the run). */
    public static Network build(Scenario s, Kernel k) throws IOException {
        LinkSpec ls = s.link();
        MachineProfile m = k.machine();
        FramePool pool = new FramePool(8192);
        LinkConfig config = new LinkConfig(ls.rateBps(), ls.overheadBytes(), true, ls.delayNs(),
                new Faults(ls.loss(), ls.duplicate(), ls.reorder(), ls.corrupt()));
        EthernetLink link = new EthernetLink("link", config, s.seed(), k::at, pool);
        PcapWriter pcap = null;
        if (ls.pcap() != null) {
            Path parent = ls.pcap().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            pcap = PcapWriter.create(ls.pcap());
            link.capture(Capture.pcap(pcap));
        }
        SimNic nic = new SimNic("eth0", HOST_MAC, MTU, (int) m.value("nic.tx_descriptors", 31),
                (int) m.value("nic.rx_ring", 64), link, End.A, k);
        NetworkDriver driver = new NetworkDriver(ScenarioParser.DRIVER, nic, ls.rateBps(), HOST_IP, s.txCapPpb());
        Qos driverCpu = ls.driverCpu() != null ? ls.driverCpu() : ScenarioParser.defaultDriverCpu(m);
        k.createDomain(ScenarioParser.DRIVER, "driver", driverCpu, driver, 0);
        HostConfig host = new HostConfig(HOST_IP, 24, 0, HOST_MAC, MTU);
        FlowManager flowman = new FlowManager(ScenarioParser.DRIVER, host);
        k.createDomain(ScenarioParser.FLOWMAN, "flowman", ScenarioParser.FLOWMAN_CPU, flowman, 0);
        k.export(nemesis.inet.InetMod.PEER_IP_KEY, PEER_IP);
        for (DomainSpec d : s.domains()) {
            if (d.tx() != null) {
                k.export(nemesis.inet.InetMod.TX_QOS_KEY_PREFIX + d.name(), d.tx());
            }
        }
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
        return new Network(link, driver, flowman, pcap, host, peer);
    }

    public EthernetLink link() {
        return link;
    }

    public NetworkDriver driver() {
        return driver;
    }

    public HostConfig host() {
        return host;
    }

    /** Flushes and closes the capture. */
    public void close() throws IOException {
        if (pcap != null) {
            pcap.close();
        }
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

    /** The contract's {@code link} figures, both directions, plus per-direction detail and the driver's drops. */
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
        return peer == null ? null : peer.report();
    }

    /** The figures of the peer's sink (UDP or TCP) on {@code port}, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> peerService(int port) {
        if (peer == null) {
            return null;
        }
        for (Map.Entry<String, Object> e : peer.report().entrySet()) {
            String key = e.getKey();
            boolean sink = key.equals("udp_sink:" + port) || key.equals("tcp_sink:" + port);
            if (sink && e.getValue() instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
        return null;
    }
}

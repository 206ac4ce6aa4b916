package nemesis.inet.peer;

import java.util.List;
import nemesis.atropos.Qos;
import nemesis.drivers.NetworkDriver;
import nemesis.drivers.SimNic;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.inet.HostConfig;
import nemesis.inet.InetMod;
import nemesis.inet.flowman.FlowManager;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;

/**
 * The network of an emulated machine with a simulated peer, wired together: the Nemesis host's
 * card ({@link SimNic}) at end A of an {@link EthernetLink}, the network driver domain and the
 * flow manager domain on the host, and the {@link SimPeer} at end B. Publishes the peer's address
 * ({@link InetMod#PEER_IP_KEY}) for programs that send to {@code peer}.
 *
 * <p>Install before the kernel runs; client domains then use {@link InetMod#attach}.
 */
public final class SimNetwork {
    /** Names of the two domains the network adds. */
    public static final String DRIVER_DOMAIN = "driver";
    public static final String FLOWMAN_DOMAIN = "flowman";

    /**
     * @param link          the wire (rate, framing, delay, faults)
     * @param linkName      names the link and seeds its fault streams
     * @param host          the Nemesis host's address, MAC and MTU
     * @param peer          the peer's
     * @param txDescriptors frames the host's card holds (de4x5: 31, 3c509: 1)
     * @param rxRing        frames the host's card buffers before its driver takes them
     * @param driverCpu     the driver domain's CPU reservation (the release: de4x5 10 ms/200 us, 3c509 20 ms/200 us, extra)
     * @param flowmanCpu    the flow manager's
     * @param framePool     frames in flight on the wire, both directions
     */
    public record Config(LinkConfig link, String linkName, HostConfig host, HostConfig peer, int txDescriptors,
                         int rxRing, Qos driverCpu, Qos flowmanCpu, int framePool) {
        /** 192.0.2.1, the Nemesis host (TEST-NET-1, RFC 5737), 02:00:00:00:00:01, MTU 1500. */
        public static final HostConfig HOST = new HostConfig(0xC000_0201, 24, 0, 0x02_00_00_00_00_01L, 1500);
        /** 192.0.2.2, the peer, 02:00:00:00:00:02. */
        public static final HostConfig PEER = new HostConfig(0xC000_0202, 24, 0, 0x02_00_00_00_00_02L, 1500);

        /** {@link #HOST} and {@link #PEER}, a de4x5 card (31 descriptors) and its driver's reservation. */
        public static Config of(LinkConfig link) {
            return new Config(link, "link", HOST, PEER, 31, 64, Qos.of(10_000_000L, 200_000L, true),
                    Qos.of(10_000_000L, 200_000L, true), 4096);
        }

        /**
         * As {@link #of}, with the card ({@code nic.tx_descriptors}, {@code nic.rx_ring}) and the
         * driver's reservation ({@code driver.cpu_period_ns}, {@code _slice_ns}, {@code _latency_ns};
         * extra time on) of a machine profile, where it gives them.
         */
        public static Config forMachine(MachineProfile m, LinkConfig link) {
            Config c = of(link);
            long period = m.value("driver.cpu_period_ns", c.driverCpu().periodNs());
            Qos driver = new Qos(period, m.value("driver.cpu_slice_ns", c.driverCpu().sliceNs()),
                    m.value("driver.cpu_latency_ns", period), true);
            return new Config(link, c.linkName(), c.host(), c.peer(), (int) m.value("nic.tx_descriptors", 31),
                    (int) m.value("nic.rx_ring", 64), driver, c.flowmanCpu(), c.framePool());
        }

        public Config withCard(int descriptors, Qos driver) {
            return new Config(link, linkName, host, peer, descriptors, rxRing, driver, flowmanCpu, framePool);
        }

        public Config withLink(LinkConfig l) {
            return new Config(l, linkName, host, peer, txDescriptors, rxRing, driverCpu, flowmanCpu, framePool);
        }

        public Config withFlowmanCpu(Qos q) {
            return new Config(link, linkName, host, peer, txDescriptors, rxRing, driverCpu, q, framePool);
        }
    }

    private final Config config;
    private final FramePool pool;
    private final EthernetLink link;
    private final SimNic nic;
    private final NetworkDriver driver;
    private final FlowManager flowManager;
    private final Domain driverDomain;
    private final Domain flowmanDomain;
    private final SimPeer peer;

    private SimNetwork(Kernel kernel, Config c, long seed, long measureFromNs, List<PeerService> services) {
        this.config = c;
        this.pool = new FramePool(c.framePool());
        this.link = new EthernetLink(c.linkName(), c.link(), seed, kernel::at, pool);
        this.nic = new SimNic("nic0", c.host().mac(), c.host().mtu(), c.txDescriptors(), c.rxRing(), link, End.A, kernel);
        this.driver = new NetworkDriver(DRIVER_DOMAIN, nic, c.link().rateBps(), c.host().ip(), 1_000_000_000L);
        this.driverDomain = kernel.createDomain(DRIVER_DOMAIN, "driver", c.driverCpu(), driver, 0);
        this.flowManager = new FlowManager(DRIVER_DOMAIN, c.host());
        this.flowmanDomain = kernel.createDomain(FLOWMAN_DOMAIN, "flowman", c.flowmanCpu(), flowManager, 0);
        this.peer = SimPeer.on(kernel, "peer", c.peer(), link, End.B, measureFromNs, services);
        kernel.export(InetMod.PEER_IP_KEY, c.peer().ip());
    }

    /**
     * Adds the network to {@code kernel} (before it runs).
     *
     * @param seed          the scenario's seed (the link's fault streams)
     * @param measureFromNs the end of the warmup (the peer's sinks measure from then)
     * @param services      what the peer runs
     */
    public static SimNetwork install(Kernel kernel, Config c, long seed, long measureFromNs, List<PeerService> services) {
        return new SimNetwork(kernel, c, seed, measureFromNs, services);
    }

    public Config config() {
        return config;
    }

    public FramePool pool() {
        return pool;
    }

    public EthernetLink link() {
        return link;
    }

    public SimNic nic() {
        return nic;
    }

    public NetworkDriver driver() {
        return driver;
    }

    public FlowManager flowManager() {
        return flowManager;
    }

    public Domain driverDomain() {
        return driverDomain;
    }

    public Domain flowmanDomain() {
        return flowmanDomain;
    }

    public SimPeer peer() {
        return peer;
    }
}

package nemesis.inet.peer;

import java.util.List;
import nemesis.atropos.Qos;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.LinkConfig;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.Program;
import nemesis.kernel.VirtualClock;

/** A kernel with the simulated network: driver, flow manager, the peer at the far end of the link. */
final class Testbed {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final int HOST_IP = SimNetwork.Config.HOST.ip();
    static final int PEER_IP = SimNetwork.Config.PEER.ip();
    static final Qos CPU = Qos.of(10 * MS, 2 * MS, true);

    final Kernel kernel;
    final SimNetwork net;
    final long warmupNs;

    Testbed(String machine, long rateBps, Faults faults, long warmupNs, List<PeerService> services) {
        this.kernel = new Kernel(new VirtualClock(), MachineProfile.load(machine));
        this.warmupNs = warmupNs;
        LinkConfig link = LinkConfig.ethernet(rateBps, 5 * US).withFaults(faults);
        this.net = SimNetwork.install(kernel, SimNetwork.Config.forMachine(kernel.machine(), link), 1, warmupNs, services);
    }

    Testbed(List<PeerService> services) {
        this("p200-de4x5", 100_000_000L, Faults.NONE, 0, services);
    }

    Domain client(String name, long startNs, Program p) {
        return kernel.createDomain(name, "test", CPU, p, startNs);
    }

    void run(long durationNs) {
        kernel.run(durationNs, warmupNs);
    }

    SimPeer peer() {
        return net.peer();
    }
}

package nemesis.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.drivers.sim.Capture;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.tap.TapNic;
import nemesis.drivers.tap.TunTap;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.RealClock;
import nemesis.linux.LinuxNamespace;
import nemesis.linux.LinuxPeer;
import nemesis.linux.LinuxService;
import nemesis.linux.LinuxServiceSpec;
import nemesis.scenario.LinkSpec;
import nemesis.scenario.PeerSpec;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;

/**
 * The far end of {@code peer.kind: tap}: a TAP device whose other side is the Linux kernel in a
 * network namespace of its own ({@code nemesis-<pid>-<n>}, 198.51.100.2/24), with the scenario's
 * Linux-side services. The emulated host's card is a {@link TapNic}: it paces frames at the
 * link's rate in real time and applies the link's faults in both directions (this kernel has no
 * {@code tc netem}, and the emulator's faults are seeded as on the simulated wire). Everything is
 * removed when the run ends, on Ctrl-C too (the namespace's shutdown hook), and by
 * {@code nemesis tap cleanup} after a crash.
 */
final class TapEnd implements Network.FarEnd {
    private final LinuxNamespace ns;
    private final TunTap tap;
    private final TapNic nic;
    private final PcapWriter pcap;
    private final LinuxPeer peer;
    private boolean closed;

    private TapEnd(LinuxNamespace ns, TunTap tap, TapNic nic, PcapWriter pcap, LinuxPeer peer) {
        this.ns = ns;
        this.tap = tap;
        this.nic = nic;
        this.pcap = pcap;
        this.peer = peer;
    }

    static Network build(Scenario s, Kernel k) throws IOException {
        String why = LinuxNamespace.unsupportedReason();
        if (why != null) {
            throw new Unavailable(why);
        }
        LinkSpec ls = s.link();
        MachineProfile m = k.machine();
        LinuxNamespace ns = LinuxNamespace.create();
        TunTap tap = null;
        TapNic nic = null;
        PcapWriter pcap = null;
        try {
            tap = TunTap.create(LinuxNamespace.TAP_PREFIX + ns.name().substring(LinuxNamespace.PREFIX.length()));
            ns.adopt(tap.name(), "198.51.100.2/24", Network.MTU);
            pcap = Network.openPcap(ls);
            nic = new TapNic("eth0", tap, Network.HOST_MAC, Network.MTU, (int) m.value("nic.tx_descriptors", 31),
                    (int) m.value("nic.rx_ring", 64), k, ls.rateBps(), ls.overheadBytes(),
                    new Faults(ls.loss(), ls.duplicate(), ls.reorder(), ls.corrupt()), s.seed(),
                    pcap == null ? null : Capture.pcap(pcap));
            nic.start();
            long charge = ls.rateBps() == 0 ? ScenarioParser.UNLIMITED_CHARGE_BPS : ls.rateBps();
            Network net = Network.host(s, k, nic, charge, Network.TAP_HOST_IP, Network.TAP_PEER_IP, null);
            RealClock clock = (RealClock) k.clock(); // a TAP run is a wall-clock run (the parser sees to it)
            LinuxService.Context ctx = LinuxService.Context.tap(ns, () -> clock.isStarted() ? clock.nowNs() : -1,
                    s.warmupNs()).checked();
            List<LinuxServiceSpec> specs = new ArrayList<>();
            for (PeerSpec.Service sv : s.peer().services()) {
                specs.add(LinuxServiceSpec.from(sv));
            }
            return net.withFarEnd(new TapEnd(ns, tap, nic, pcap, new LinuxPeer(ctx, specs)));
        } catch (IOException | RuntimeException e) {
            if (nic != null) {
                nic.close();
            }
            if (pcap != null) {
                pcap.close();
            }
            if (tap != null) {
                tap.close();
            }
            ns.close();
            throw e;
        }
    }

    @Override
    public void start() throws IOException {
        peer.start();
    }

    /** The machine has stopped: the Linux side's programs end (reports final), then the card's threads. */
    @Override
    public void stop() {
        peer.stop();
        nic.close();
    }

    @Override
    public Map<String, Object> linkFigures() {
        Map<String, Object> t = nic.figures();
        Map<String, Object> l = new LinkedHashMap<>();
        long out = num(t, "tx_written_frames");
        long in = num(t, "rx_frames");
        l.put("frames", out + in);
        l.put("bytes", num(t, "tx_written_bytes") + num(t, "rx_bytes"));
        l.put("dropped", num(t, "tx_lost") + num(t, "rx_lost") + num(t, "tx_corrupt_arp_dropped")
                + num(t, "rx_corrupt_arp_dropped"));
        l.put("corrupted", num(t, "tx_corrupted") + num(t, "rx_corrupted"));
        l.put("duplicated", num(t, "tx_duplicated") + num(t, "rx_duplicated"));
        l.put("reordered", num(t, "tx_reordered") + num(t, "rx_reordered"));
        l.put("rate_bps", num(t, "rate_bps"));
        l.put("kind", "tap");
        l.put("namespace", ns.name());
        Map<String, Object> dir = new LinkedHashMap<>();
        dir.put("frames", out);
        dir.put("bytes", num(t, "tx_written_bytes"));
        dir.put("wire_time_ns", num(t, "tx_line_time_ns"));
        l.put("host_to_peer", dir);
        Map<String, Object> back = new LinkedHashMap<>();
        back.put("frames", in);
        back.put("bytes", num(t, "rx_bytes"));
        l.put("peer_to_host", back);
        l.put("tap", t);
        return l;
    }

    private static long num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public Map<String, Object> peerFigures() {
        return peer.report();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            peer.close();
            nic.close();
            if (pcap != null) {
                pcap.close();
            }
        } finally {
            tap.close();
            ns.close();
        }
    }
}

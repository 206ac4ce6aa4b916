package nemesis.programs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientBinding;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.LinkConfig;
import nemesis.inet.InetMod;
import nemesis.inet.SinkMeter;
import nemesis.inet.peer.PeerService;
import nemesis.inet.peer.SimNetwork;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.VirtualClock;
import org.junit.jupiter.api.Test;

/** udp_send, udp_sink and ping as a scenario runs them, against the simulated peer. */
class NetworkProgramsTest {
    static final long MS = 1_000_000L;
    static final Qos CPU = Qos.of(10 * MS, 2 * MS, true);

    final Kernel kernel = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"));

    SimNetwork network(long warmupNs, PeerService... services) {
        LinkConfig link = LinkConfig.ethernet(100_000_000L, 5_000L).withFaults(Faults.NONE);
        return SimNetwork.install(kernel, SimNetwork.Config.forMachine(kernel.machine(), link), 1, warmupNs,
                List.of(services));
    }

    Domain domain(String name, ProgramInfo info, Map<String, Object> args) {
        return kernel.createDomain(name, info.name(), CPU, info.factory().apply(new Args(args)), 1 * MS);
    }

    @Test
    void udpSendPacesPatternedDatagramsToThePeersSink() {
        SimNetwork net = network(100 * MS, new PeerService.UdpSink(5001, true));
        Qos tx = Qos.of(10 * MS, 1 * MS, false);
        kernel.export(InetMod.TX_QOS_KEY_PREFIX + "s", tx);
        Domain s = domain("s", UdpSend.INFO, Map.of("to", "peer:5001", "size", 1472L, "rate", 10_000_000L,
                "count", 500L));
        kernel.run(1_000 * MS, 100 * MS);
        assertEquals(Domain.Status.EXITED, s.status(), () -> String.valueOf(s.error()));
        assertEquals(500L, s.stats().getLong("datagrams_sent"));
        assertEquals(500L * 1472, s.stats().getLong("bytes_sent"));
        SinkMeter m = net.peer().sink(5001);
        assertEquals(500, m.datagramsTotal(), "the last ones were flushed before the domain ended");
        assertTrue(m.verified());
        assertEquals(0, m.sequence().lost());
        // within 3%: the tx reservation (1 ms every 10 ms) sends in bursts, so the first and last
        // arrivals of the window may each be off by up to a period
        assertEquals(10_000_000.0, m.goodputBps(), 10_000_000.0 * 0.03, "the rate asked for");
        ClientBinding b = net.driver().bindings().stream().filter(x -> x.client() == s).findFirst().orElseThrow();
        assertEquals(tx, net.driver().txQos(b), "the scenario's tx reservation");
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) net.peer().report().get("udp_sink:5001");
        assertEquals(true, f.get("verified"));
    }

    @Test
    void udpSendWithoutARateIsHeldByItsTransmitReservation() {
        SimNetwork net = network(100 * MS, new PeerService.UdpSink(5001, false));
        // 1 ms of wire time in every 10 ms: a tenth of 100 Mb/s
        kernel.export(InetMod.TX_QOS_KEY_PREFIX + "s", Qos.of(10 * MS, 1 * MS, false));
        domain("s", UdpSend.INFO, Map.of("to", "192.0.2.2:5001", "size", 1472L));
        kernel.run(1_100 * MS, 100 * MS);
        double wire = 10_000_000.0 * 1472 / (1472 + 42); // a frame's bits on the wire at 10 Mb/s, payload only
        assertEquals(wire, net.peer().sink(5001).goodputBps(), wire * 0.03);
    }

    @Test
    void udpSendAsFastAsAllowedFillsAFreeWire() {
        SimNetwork net = network(100 * MS, new PeerService.UdpSink(5001, true));
        domain("s", UdpSend.INFO, Map.of("to", "peer:5001", "size", 1472L)); // extra time only, on the wire too
        kernel.run(600 * MS, 100 * MS);
        double wire = 100_000_000.0 * 1472 / (1514 + 24); // payload of full frames, with Ethernet's overhead
        assertEquals(wire, net.peer().sink(5001).goodputBps(), wire * 0.02, net.peer().report()::toString);
        assertTrue(net.peer().sink(5001).verified());
    }

    @Test
    void udpSinkMeasuresWhatThePeerSends() {
        network(100 * MS, new PeerService.UdpSource(40000, SimNetwork.Config.HOST.ip(), 6000, 8000, 8_000_000L, 0,
                10 * MS, true));
        Domain r = domain("r", UdpSink.INFO, Map.of("port", 6000L, "verify", "pattern"));
        kernel.run(1_100 * MS, 100 * MS);
        assertEquals(Domain.Status.RUNNING, r.status(), () -> String.valueOf(r.error()));
        Map<String, Number> st = r.stats().values();
        assertEquals(1L, st.get("verified"));
        assertEquals(0L, st.get("lost"));
        assertEquals(8_000_000.0, st.get("goodput_bps").doubleValue(), 8_000_000.0 * 0.01);
        assertEquals(125, st.get("datagrams").longValue(), 1, "a second of 8000-byte datagrams at 8 Mb/s");
    }

    @Test
    void pingRecordsRoundTripsToThePeer() {
        network(0);
        Domain p = domain("p", Ping.INFO, Map.of("to", "peer", "count", 5L, "interval", 20 * MS, "size", 56L));
        kernel.run(2_000 * MS, 0);
        assertEquals(Domain.Status.EXITED, p.status(), () -> String.valueOf(p.error()));
        assertEquals(5L, p.stats().getLong("sent"));
        assertEquals(5L, p.stats().getLong("received"));
        assertEquals(0L, p.stats().getLong("lost"));
        long min = p.stats().getLong("rtt_min_ns");
        assertTrue(min > 0 && min <= p.stats().getLong("rtt_avg_ns") && p.stats().getLong("rtt_avg_ns") <= p.stats().getLong("rtt_max_ns"));
    }

    @Test
    void badArgumentsAreRefusedWhenTheProgramIsMade() {
        assertThrows(IllegalArgumentException.class, () -> UdpSend.INFO.factory().apply(new Args(Map.of("to", "nowhere:1"))));
        assertThrows(IllegalArgumentException.class, () -> UdpSend.INFO.factory().apply(new Args(Map.of("to", "peer:1", "size", 70000L))));
        assertThrows(IllegalArgumentException.class, () -> Ping.INFO.factory().apply(new Args(Map.of("to", "10.0.0.300"))));
        assertThrows(IllegalArgumentException.class, () -> UdpSink.INFO.factory().apply(new Args(Map.of("port", 5L, "verify", "maybe"))));
        assertTrue(Programs.catalog().keySet().containsAll(List.of("udp_send", "udp_sink", "ping")));
    }
}

package nemesis.inet.peer;

import static nemesis.inet.peer.Testbed.HOST_IP;
import static nemesis.inet.peer.Testbed.MS;
import static nemesis.inet.peer.Testbed.PEER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nemesis.drivers.DriverCounters;
import nemesis.inet.InetMod;
import nemesis.inet.UdpSocket;
import nemesis.inet.flowman.PortInUseException;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import org.junit.jupiter.api.Test;

/** Ports: taken, refused, freed when their domain dies; datagrams to closed ports. */
class FlowLifecycleTest {
    @Test
    void aPortInUseIsRefusedAndADeadDomainsPortIsFreed() {
        Testbed t = new Testbed(List.of(new PeerService.UdpSource(40000, HOST_IP, 7000, 64, 1_000_000L, 5, 60 * MS,
                false)));
        List<String> events = new ArrayList<>();
        Domain first = t.client("first", 1 * MS, ctx -> {
            InetMod.attach(ctx).openUdp(7000, InetMod.txQos(ctx));
            events.add("first bound 7000");
            ctx.sleepUntil(20 * MS);
            throw new IllegalStateException("the first holder dies");
        });
        t.client("greedy", 10 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            try {
                inet.openUdp(7000, InetMod.txQos(ctx));
                events.add("greedy bound 7000");
            } catch (PortInUseException e) {
                events.add("greedy refused");
            }
            ctx.sleepUntil(Kernel.NEVER);
        });
        long[] got = new long[1];
        Domain second = t.client("second", 40 * MS, ctx -> {
            UdpSocket s = InetMod.attach(ctx).openUdp(7000, InetMod.txQos(ctx));
            events.add("second bound 7000");
            byte[] b = new byte[100];
            while (s.receive(b, 0, b.length, Kernel.NEVER) >= 0) {
                got[0]++;
            }
        });
        t.run(200 * MS);
        assertEquals(List.of("first bound 7000", "greedy refused", "second bound 7000"), events);
        assertEquals(Domain.Status.KILLED, first.status());
        assertEquals(Domain.Status.RUNNING, second.status(), () -> String.valueOf(second.error()));
        assertEquals(5, got[0], "the new holder receives on the port");
    }

    @Test
    void udpToAClosedPortOfNemesisIsAnsweredPortUnreachable() {
        Testbed t = new Testbed(List.of(new PeerService.UdpSource(40000, HOST_IP, 7777, 64, 1_000_000L, 3, 10 * MS,
                false)));
        t.run(100 * MS);
        assertEquals(3L, t.net.flowManager().stats().get("port_unreachables"));
        assertEquals(3, t.peer().stack().portUnreachablesReceived());
        assertEquals(0, t.net.driver().counters().get(DriverCounters.Reason.RX_NO_DEFAULT_CLIENT));
    }

    @Test
    void udpToAClosedPortOfThePeerIsAnsweredPortUnreachable() {
        Testbed t = new Testbed(List.of());
        t.client("s", 1 * MS, ctx -> {
            UdpSocket s = InetMod.attach(ctx).openUdp(0, InetMod.txQos(ctx));
            byte[] b = new byte[10];
            for (int i = 0; i < 4; i++) {
                s.send(PEER_IP, 9999, b, 0, b.length, Kernel.NEVER);
            }
            ctx.sleepUntil(Kernel.NEVER);
        });
        t.run(100 * MS);
        Map<String, Long> peer = t.peer().stack().counters();
        assertEquals(4, peer.get("icmp_errors_sent"));
        assertEquals(4, peer.get("drop_udp_no_port"));
        // ICMP errors are not for the socket: they reach the flow manager's default channel, which drops them.
        assertTrue(t.net.flowManager().stats().get("default_dropped") >= 4);
    }
}

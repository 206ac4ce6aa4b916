package nemesis.inet.peer;

import static nemesis.inet.peer.Testbed.HOST_IP;
import static nemesis.inet.peer.Testbed.MS;
import static nemesis.inet.peer.Testbed.PEER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nemesis.drivers.DriverCounters;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.Faults;
import nemesis.inet.InetMod;
import nemesis.inet.Pattern;
import nemesis.inet.SinkMeter;
import nemesis.inet.UdpSocket;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import org.junit.jupiter.api.Test;

/**
 * UDP over a wire that loses, duplicates, reorders and corrupts frames in both directions:
 * nothing throws, corrupted frames are dropped and counted by the receiver's checksums, and the
 * sinks see the loss, the duplicates and the reordering, and only intact payloads.
 */
class FaultyLinkTest {
    @Test
    void udpSurvivesAFaultyLinkBothWays() {
        Faults faults = new Faults(0.03, 0.03, 0.03, 0.03);
        Testbed t = new Testbed("p200-de4x5", 100_000_000L, faults, 0, List.of(new PeerService.UdpSink(5001, true),
                new PeerService.UdpSource(40000, HOST_IP, 6000, 1472, 20_000_000L, 3000, 10 * MS, true),
                new PeerService.UdpSource(40001, HOST_IP, 6000, 8000, 5_000_000L, 200, 10 * MS, true)));
        int count = 3000;
        Domain sender = t.client("s", 1 * MS, ctx -> {
            UdpSocket s = InetMod.attach(ctx).openUdp(0, InetMod.txQos(ctx));
            byte[] b = new byte[8000];
            long next = ctx.nowNs();
            for (int i = 0; i < count; i++) {
                int size = i % 10 == 0 ? 8000 : 1472; // every tenth fragmented
                Pattern.fill(b, 0, size, i);
                s.send(PEER_IP, 5001, b, 0, size, Kernel.NEVER);
                next += 600_000L; // ~ 22 Mb/s
                ctx.sleepUntil(next);
            }
            ctx.sleepUntil(Kernel.NEVER);
        });
        SinkMeter m = new SinkMeter(true, 0);
        UdpSocket[] rx = new UdpSocket[1];
        Domain receiver = t.client("r", 1 * MS, ctx -> {
            rx[0] = InetMod.attach(ctx).openUdp(6000, InetMod.txQos(ctx));
            byte[] b = new byte[65507];
            while (true) {
                int n = rx[0].receive(b, 0, b.length, Kernel.NEVER);
                m.record(b, 0, n, ctx.nowNs());
            }
        });
        t.run(3_000 * MS);
        assertEquals(Domain.Status.RUNNING, sender.status(), () -> String.valueOf(sender.error()));
        assertEquals(Domain.Status.RUNNING, receiver.status(), () -> String.valueOf(receiver.error()));

        // Nemesis -> peer
        SinkMeter p = t.peer().sink(5001);
        Map<String, Long> peer = t.peer().stack().counters();
        assertTrue(p.verified(), "only intact payloads delivered");
        assertTrue(p.sequence().lost() > 0 && p.sequence().duplicates() > 0 && p.sequence().reordered() > 0,
                () -> t.peer().report().toString());
        assertTrue(p.datagramsTotal() > count * 0.85, () -> "most arrive: " + p.datagramsTotal() + " " + t.kernel.domains().stream().map(d -> d.name() + "=" + d.stats().values() + " g=" + d.cpuGuaranteedNs() + " x=" + d.cpuExtraNs()).toList());
        long badSums = peer.getOrDefault("drop_ip_bad_checksum", 0L) + peer.getOrDefault("drop_udp_bad_checksum", 0L);
        assertTrue(badSums > 0, peer::toString);
        assertEquals(0, t.peer().stack().unaccountedFrames());
        assertEquals(0, t.peer().stack().unaccountedDatagrams());

        // peer -> Nemesis
        assertTrue(m.verified());
        assertTrue(m.sequence().lost() > 0 && m.sequence().duplicates() > 0, () -> rx[0].counters().toString());
        Map<String, Long> sock = rx[0].counters();
        long corruptAtDriver = t.net.driver().counters().get(DriverCounters.Reason.RX_IP_BAD_CHECKSUM);
        assertTrue(sock.getOrDefault("drop_udp_bad_checksum", 0L) > 0 && corruptAtDriver > 0,
                () -> sock + " driver " + t.net.driver().counters().nonZero());
        assertTrue(sock.getOrDefault("drop_fragment_duplicate", 0L) > 0, sock::toString);
        long corrupted = t.net.link().counters(End.B).corrupted();
        assertTrue(corrupted > 0);
    }
}

package nemesis.inet.peer;

import static nemesis.inet.peer.Testbed.HOST_IP;
import static nemesis.inet.peer.Testbed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nemesis.drivers.ClientBinding;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.Frame;
import nemesis.inet.FrameFuzzer;
import nemesis.inet.InetMod;
import nemesis.inet.Ipv4Input;
import nemesis.inet.SinkMeter;
import nemesis.inet.UdpInput;
import nemesis.inet.UdpSocket;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames through the whole receive path of the Nemesis host — card, driver,
 * flow manager (ARP, default channel), a socket's channel — from the peer's end of the wire.
 * Nothing dies, the socket accounts for every frame, and afterwards it still receives (no
 * receive buffer leaked).
 */
class EndToEndFuzzTest {
    static final int FRAMES = 100_000;
    static final long EVERY_NS = 130_000; // a little more than a full frame's wire time at 100 Mb/s

    @Test
    void theHostSurvivesGarbageAndStillWorks() {
        Testbed t = new Testbed(List.of(new PeerService.UdpSource(40001, HOST_IP, FrameFuzzer.PORT, 500, 4_000_000L,
                20, 10 * MS + FRAMES * EVERY_NS + 100 * MS, true)));
        FrameFuzzer fuzz = new FrameFuzzer(7);
        long[] injected = new long[2];
        Runnable[] inject = new Runnable[1];
        inject[0] = () -> {
            int len = fuzz.next();
            Frame f = t.net.pool().allocate();
            if (len > 0 && f != null) {
                f.copyFrom(fuzz.frame, 0, len);
                t.net.link().send(End.B, f, t.kernel.clock().nowNs());
                injected[0]++;
            } else if (f != null) {
                f.release();
                injected[1]++; // an empty frame: the wire carries none
            }
            if (injected[0] + injected[1] < FRAMES) {
                t.kernel.at(t.kernel.clock().nowNs() + EVERY_NS, inject[0]);
            }
        };
        t.kernel.at(10 * MS, inject[0]);
        SinkMeter clean = new SinkMeter(true, 0);
        UdpSocket[] sock = new UdpSocket[1];
        Domain r = t.client("r", 1 * MS, ctx -> {
            sock[0] = InetMod.attach(ctx).openUdp(FrameFuzzer.PORT, InetMod.txQos(ctx));
            byte[] b = new byte[65507];
            while (true) {
                int n = sock[0].receive(b, 0, b.length, Kernel.NEVER);
                if (sock[0].lastSourcePort() == 40001) {
                    clean.record(b, 0, n, ctx.nowNs());
                }
            }
        });
        long end = 10 * MS + FRAMES * EVERY_NS + 300 * MS;
        t.run(end);

        for (Domain d : t.kernel.domains()) {
            assertEquals(Domain.Status.RUNNING, d.status(), () -> d.name() + ": " + d.error());
        }
        assertEquals(FRAMES, injected[0] + injected[1]);
        assertEquals(20, clean.datagramsTotal(), "the socket still receives");
        assertTrue(clean.verified());

        UdpInput in = sock[0].input();
        Ipv4Input ip = in.ip();
        assertEquals(ip.frames(), ip.wholeDatagrams() + ip.fragments() + ip.drops().total());
        assertEquals(ip.datagrams(), in.delivered() + in.drops().total());
        assertTrue(in.delivered() > 1_000, "garbage that was valid UDP reached the socket: " + in.delivered());

        long toHost = t.net.link().counters(End.B).delivered();
        long handled = t.net.nic().rxOverruns() + t.net.driver().counters().receiveDrops();
        for (ClientBinding b : t.net.driver().bindings()) {
            handled += b.framesReceived();
        }
        long stillHeld = toHost - handled;
        assertTrue(stillHeld >= 0 && stillHeld <= 16, "at most the driver's held fragments unaccounted: " + stillHeld);
        assertTrue(t.net.pool().inUse() <= 16, "frames leaked: " + t.net.pool().inUse());
    }
}

package nemesis.inet.peer;

import static nemesis.inet.peer.Testbed.HOST_IP;
import static nemesis.inet.peer.Testbed.MS;
import static nemesis.inet.peer.Testbed.PEER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import nemesis.inet.InetMod;
import nemesis.inet.Pattern;
import nemesis.inet.SinkMeter;
import nemesis.inet.UdpSocket;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import org.junit.jupiter.api.Test;

/** UDP between a Nemesis domain and the simulated peer, through driver, flow manager and wire. */
class UdpEndToEndTest {
    static final int[] SIZES = {0, 1, 7, 8, 9, 100, 1471, 1472, 1473, 2960, 8192, 61440, 65507};

    @Test
    void nemesisToPeerIsByteExactAtEverySize() {
        Testbed t = new Testbed(List.of(new PeerService.UdpSink(5001, true)));
        long[] result = new long[2];
        Domain d = t.client("s", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            UdpSocket s = inet.openUdp(0, InetMod.txQos(ctx));
            byte[] buf = new byte[65507];
            long seq = 0;
            for (int round = 0; round < 3; round++) {
                for (int size : SIZES) {
                    Pattern.fill(buf, 0, size, seq);
                    seq += Pattern.hasSequence(size) ? 1 : 0; // shorter ones carry no number
                    assertEquals(size, s.send(PEER_IP, 5001, buf, 0, size, Kernel.NEVER));
                    result[0]++;
                    result[1] += size;
                }
            }
            ctx.sleepUntil(Kernel.NEVER);
        });
        t.run(2_000 * MS);
        assertEquals(Domain.Status.RUNNING, d.status(), () -> String.valueOf(d.error()));
        SinkMeter m = t.peer().sink(5001);
        assertEquals(result[0], m.datagramsTotal(), () -> t.peer().report().toString());
        assertEquals(result[1], m.bytesTotal());
        assertTrue(m.verified());
        assertEquals(0, m.sequence().lost());
        assertEquals(0, m.sequence().duplicates());
        assertEquals(0, t.peer().stack().unaccountedFrames());
    }

    @Test
    void peerToNemesisIsByteExactAtEverySize() {
        List<PeerService> sources = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            sources.add(new PeerService.UdpSource(40000 + i, HOST_IP, 6000, SIZES[i], 0, 2, (20 + 20 * i) * MS, true));
        }
        Testbed t = new Testbed(sources);
        SinkMeter m = new SinkMeter(true, 0);
        long[] bytes = new long[1];
        Domain d = t.client("r", 1 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            UdpSocket s = inet.openUdp(6000, InetMod.txQos(ctx));
            byte[] buf = new byte[65507];
            while (true) {
                int n = s.receive(buf, 0, buf.length, Kernel.NEVER);
                m.record(buf, 0, n, ctx.nowNs());
                bytes[0] += n;
            }
        });
        t.run(2_000 * MS);
        assertEquals(Domain.Status.RUNNING, d.status(), () -> String.valueOf(d.error()));
        assertEquals(2L * SIZES.length, m.datagramsTotal(), () -> t.peer().report().toString());
        long want = 0;
        for (int size : SIZES) {
            want += 2L * size;
        }
        assertEquals(want, bytes[0]);
        assertTrue(m.verified());
    }
}

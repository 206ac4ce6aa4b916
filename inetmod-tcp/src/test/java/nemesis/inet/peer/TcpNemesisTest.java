package nemesis.inet.peer;

import static nemesis.inet.peer.Testbed.HOST_IP;
import static nemesis.inet.peer.Testbed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.inet.InetMod;
import nemesis.inet.StreamPattern;
import nemesis.inet.TcpServerSocket;
import nemesis.inet.TcpSocket;
import nemesis.inet.tcp.TcpState;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import org.junit.jupiter.api.Test;

/** The Nemesis TCP shell: two domains of the host talk through the driver (turned round for the host's own address). */
class TcpNemesisTest {
    static final Qos TX = Qos.of(10 * MS, 2 * MS, true);

    @Test
    void aStreamGoesOverByteExactAndBothEndsClose() {
        Testbed t = new Testbed(List.of());
        int total = 1 << 20;
        List<String> log = new ArrayList<>();
        long[] got = {0};
        t.client("server", 0, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            TcpServerSocket l = inet.listenTcp(5001, TX);
            TcpSocket s = l.accept(Kernel.NEVER);
            byte[] buf = new byte[3000];
            int n;
            while ((n = s.read(buf, 0, buf.length, Kernel.NEVER)) >= 0) {
                int bad = StreamPattern.firstMismatch(buf, 0, n, got[0]);
                if (bad >= 0) {
                    log.add("mismatch at " + (got[0] + bad));
                    break;
                }
                got[0] += n;
            }
            log.add("server read " + got[0] + " then EOF");
            s.close();
            log.add("server closed: " + s.awaitClosed(ctx.nowNs() + 5_000 * MS));
        });
        t.client("client", 2 * MS, ctx -> {
            InetMod inet = InetMod.attach(ctx);
            TcpSocket s = inet.connectTcp(HOST_IP, 5001, TX, ctx.nowNs() + 5_000 * MS);
            log.add("client connected: " + s.state());
            byte[] chunk = new byte[1460];
            for (long off = 0; off < total; off += chunk.length) {
                int n = (int) Math.min(chunk.length, total - off);
                StreamPattern.fill(chunk, 0, n, off);
                s.writeFully(chunk, 0, n);
            }
            s.close();
            log.add("client closed: " + s.awaitClosed(ctx.nowNs() + 200_000 * MS));
        });
        t.run(300_000 * MS);
        for (Domain d : t.kernel.domains()) {
            assertTrue(d.error() == null, d.name() + ": " + d.error());
        }
        assertTrue(log.contains("client connected: " + TcpState.ESTABLISHED), log.toString());
        assertTrue(log.contains("server read " + total + " then EOF"), log.toString());
        assertTrue(log.contains("client closed: true") && log.contains("server closed: true"), log.toString());
        assertEquals(total, got[0]);
    }

    /**
     * A window larger than the frames the transmit channel can queue (an ideal peer's, at 10 Mb/s):
     * tcp_output waits for header buffers to come back instead of losing segments, so a clean
     * wire sees no retransmission.
     */
    @Test
    void aWindowLargerThanTheChannelHoldsSegmentsBackInsteadOfLosingThem() {
        Testbed t = new Testbed("ideal", 10_000_000L, nemesis.drivers.sim.Faults.NONE, 0,
                List.of(new PeerService.TcpSink(5001, true)));
        int total = 1 << 20;
        TcpSocket[] sock = new TcpSocket[1];
        t.client("client", 1 * MS, ctx -> {
            TcpSocket s = InetMod.attach(ctx).connectTcp(Testbed.PEER_IP, 5001, TX, Kernel.NEVER);
            sock[0] = s;
            byte[] chunk = new byte[1460];
            for (long off = 0; off < total; off += chunk.length) {
                int n = (int) Math.min(chunk.length, total - off);
                StreamPattern.fill(chunk, 0, n, off);
                s.writeFully(chunk, 0, n);
            }
            s.close();
            s.awaitClosed(Kernel.NEVER);
        });
        t.run(20_000 * MS);
        var c = sock[0].connection().counters();
        assertEquals(total, t.peer().tcpSink(5001).bytesTotal());
        assertTrue(t.peer().tcpSink(5001).verified());
        assertEquals(0, sock[0].segmentsOutLost(), () -> c.nonZero().toString());
        assertTrue(c.get(nemesis.inet.tcp.TcpCounters.Event.OUTPUT_BLOCKED) > 0, "the window outgrew the channel: " + c.nonZero());
        assertEquals(0, c.get(nemesis.inet.tcp.TcpCounters.Event.REXMT_BYTES), () -> c.nonZero().toString());
    }

    /**
     * The zero-copy API: the application fills InetMod's payload buffers itself, hands them over,
     * and gets each back only once the peer has acknowledged its data. The pool is small, so
     * a long stream goes only if reclaiming works; the peer checks every byte.
     */
    @Test
    void zeroCopyBuffersComeBackOnlyAcknowledged() {
        Testbed t = new Testbed(List.of(new PeerService.TcpSink(5001, true)));
        long total = 2L << 20;
        long[] reclaimed = {0};
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        java.util.Map<Integer, Long> endOf = new java.util.HashMap<>();
        String[] problem = {null};
        t.client("client", 1 * MS, ctx -> {
            TcpSocket s = InetMod.attach(ctx).connectTcp(Testbed.PEER_IP, 5001, TX, Kernel.NEVER);
            int size = s.payloadBytes();
            long off = 0;
            java.util.ArrayDeque<TcpSocket.PayloadBuffer> spare = new java.util.ArrayDeque<>();
            while (off < total) {
                TcpSocket.PayloadBuffer b = spare.isEmpty() ? s.allocatePayload(ctx.nowNs() + 10 * MS) : spare.poll();
                if (b == null) { // none free: take back one the peer has acknowledged
                    b = s.reclaimPayload(Kernel.NEVER);
                    reclaimed[0]++;
                    long end = endOf.get(b.index());
                    if (s.connection().bytesAcked() < end) {
                        problem[0] = "buffer " + b.index() + " (data up to " + end + ") came back with only "
                                + s.connection().bytesAcked() + " acknowledged";
                    }
                }
                seen.add(b.index());
                int n = (int) Math.min(size, total - off);
                endOf.put(b.index(), off + n);
                for (int k = 0; k < n; k++) {
                    b.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, k, StreamPattern.at(off + k));
                }
                s.sendPayload(b, n);
                off += n;
            }
            s.close();
            s.awaitClosed(Kernel.NEVER);
        });
        t.run(60_000 * MS);
        assertEquals(null, problem[0]);
        assertEquals(total, t.peer().tcpSink(5001).bytesTotal());
        assertTrue(t.peer().tcpSink(5001).verified(), "every byte as the application wrote it in place");
        assertTrue(reclaimed[0] > total / 1460 / 2, "the stream went through a small pool of buffers: " + reclaimed[0]
                + " reclaimed, " + seen.size() + " buffers");
    }

    /**
     * The connection's transmit reservation changes at run time: rate control follows it, from
     * one MTU packet per 10 ms (1.2 ms at 10 Mb/s) to three.
     */
    @Test
    void theTransmitReservationChangesWhileTheConnectionRuns() {
        Testbed t = new Testbed("p200-3c509", 10_000_000L, nemesis.drivers.sim.Faults.NONE, 0,
                List.of(new PeerService.TcpSink(5001, true)));
        long[] bytesAt = new long[3];
        t.client("client", 1 * MS, ctx -> {
            TcpSocket s = InetMod.attach(ctx).connectTcp(Testbed.PEER_IP, 5001,
                    Qos.of(10 * MS, 1_200_000L, false), Kernel.NEVER);
            byte[] chunk = new byte[1460];
            long off = 0;
            boolean changed = false;
            while (true) {
                StreamPattern.fill(chunk, 0, chunk.length, off);
                s.writeFully(chunk, 0, chunk.length);
                off += chunk.length;
                if (!changed && ctx.nowNs() >= 2_000 * MS) {
                    s.setTxQos(Qos.of(10 * MS, 3_600_000L, false));
                    changed = true;
                }
            }
        });
        t.kernel.at(1_000 * MS, () -> bytesAt[0] = t.peer().tcpSink(5001).bytesTotal());
        t.kernel.at(2_000 * MS, () -> bytesAt[1] = t.peer().tcpSink(5001).bytesTotal());
        t.kernel.at(4_000 * MS, () -> bytesAt[2] = t.peer().tcpSink(5001).bytesTotal());
        t.run(4_500 * MS);
        double before = (bytesAt[1] - bytesAt[0]) / 1460.0; // packets in 1 s at (10 ms, 1.2 ms)
        double after = (bytesAt[2] - bytesAt[1]) / 1460.0 / 2; // per second at (10 ms, 3.6 ms), settling included
        assertEquals(100, before, 2, "one packet per 10 ms");
        assertEquals(300, after, 10, "three packets per 10 ms once changed");
        assertTrue(t.peer().tcpSink(5001).verified());
    }
}

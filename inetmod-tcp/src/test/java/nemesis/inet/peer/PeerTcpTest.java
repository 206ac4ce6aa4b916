package nemesis.inet.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.Frame;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.drivers.sim.ManualTimeline;
import nemesis.inet.StreamPattern;
import nemesis.inet.StreamMeter;
import nemesis.inet.host.HostStack;
import nemesis.inet.host.HostTcpSocket;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.TcpConfig;
import org.junit.jupiter.api.Test;

/**
 * The peer's TCP services over the simulated Ethernet, without a kernel: a conventional host
 * stack at end A stands in for the Nemesis host (the InetMod shell is tested elsewhere).
 */
class PeerTcpTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final int HOST_IP = SimNetwork.Config.HOST.ip();
    static final int PEER_IP = SimNetwork.Config.PEER.ip();

    /** The link, the stand-in host at A, the peer at B. */
    static final class Bed {
        final ManualTimeline tl = new ManualTimeline();
        final FramePool pool = new FramePool(8192);
        final EthernetLink link;
        final HostStack host;
        final SimPeer peer;
        long armed = Long.MAX_VALUE;

        Bed(long rateBps, Faults faults, PeerProfile profile, List<PeerService> services) {
            link = new EthernetLink("l", LinkConfig.ethernet(rateBps, 5 * US).withFaults(faults), 7, tl, pool);
            host = new HostStack(SimNetwork.Config.HOST, (m, off, len, now) -> {
                Frame f = pool.allocate();
                if (f != null) {
                    f.copyFrom(m, off, len);
                    link.send(End.A, f, tl.nowNs());
                }
            });
            host.addStaticArp(PEER_IP, SimNetwork.Config.PEER.mac());
            link.attach(End.A, (f, t) -> {
                try {
                    host.receive(f.segment(), 0, f.length(), tl.nowNs());
                } finally {
                    f.release();
                }
                arm();
            });
            peer = new SimPeer("peer", SimNetwork.Config.PEER, link, End.B, tl, tl::nowNs, 0, services, profile);
        }

        void arm() {
            long t = host.nextTimerNs();
            if (t < armed) {
                armed = t;
                tl.at(t, () -> {
                    armed = Long.MAX_VALUE;
                    host.poll(tl.nowNs());
                    arm();
                });
            }
        }

        void run(long untilNs) {
            arm();
            while (tl.nextEventNs() <= untilNs) {
                tl.runUntil(tl.nextEventNs());
            }
        }
    }

    /** A sender on the host: writes {@code total} pattern bytes, then closes. */
    static final class Sender implements HostTcpSocket.Events {
        final long total;
        final MemorySegment buf = Arena.ofAuto().allocate(16384);
        long written;
        CloseReason closed;
        HostTcpSocket socket;

        Sender(long total) {
            this.total = total;
        }

        @Override
        public void established(HostTcpSocket s, long nowNs) {
            socket = s;
            writable(s, nowNs);
        }

        @Override
        public void writable(HostTcpSocket s, long nowNs) {
            while (written < total) {
                int n = (int) Math.min(buf.byteSize(), Math.min(total - written, s.sendSpace()));
                if (n <= 0) {
                    return;
                }
                StreamPattern.fill(buf, 0, n, written);
                written += s.write(buf, 0, n, nowNs);
            }
            if (!s.finQueued()) {
                s.close(nowNs);
            }
        }

        @Override
        public void closed(HostTcpSocket s, CloseReason why, long nowNs) {
            closed = why;
        }
    }

    static StreamMeter sendToSink(PeerProfile profile, Faults faults, long bytes, long rate, long untilNs) {
        Bed b = new Bed(rate, faults, profile, List.of(new PeerService.TcpSink(5001, true)));
        Sender snd = new Sender(bytes);
        b.host.tcpConfig(TcpConfig.modern());
        b.host.connectTcp(0, PEER_IP, 5001, snd, 0);
        b.run(untilNs);
        StreamMeter m = b.peer.tcpSink(5001);
        assertEquals(bytes, m.bytesTotal(), () -> b.peer.report().toString());
        assertTrue(m.verified());
        assertTrue(snd.socket.connection().finAcked(), () -> b.peer.report().toString());
        return m;
    }

    @Test
    void tcpSinkCountsAndVerifiesAStream() {
        StreamMeter m = sendToSink(PeerProfile.IDEAL, Faults.NONE, 2_000_000, 100_000_000L, 30 * S);
        assertEquals(1, m.connections());
        assertEquals(1L, m.figures().get("fins"));
        assertTrue(m.goodputBps() > 60e6, "near the 100 Mb/s wire: " + m.goodputBps());
    }

    @Test
    void tcpSinkUnderLossAndReordering() {
        StreamMeter m = sendToSink(PeerProfile.IDEAL, new Faults(0.02, 0.01, 0.02, 0), 1_000_000, 100_000_000L,
                300 * S);
        assertTrue(m.verified());
    }

    @Test
    void theMeterCatchesMisplacedBytes() {
        StreamMeter m = new StreamMeter(true, 0);
        byte[] b = new byte[5000];
        StreamPattern.fill(b, 0, b.length, 123_456);
        m.record(b, 0, b.length, 123_456, 0);
        m.record(MemorySegment.ofArray(b), 1000, 2000, 124_456, 1);
        assertTrue(m.verified(), "any slice at its own offset");
        m.record(b, 0, 1460, 123_456 + 1460, 2);
        assertEquals(1, m.patternErrors(), "a slice at another offset");
        b[4000] ^= 1;
        m.record(MemorySegment.ofArray(b), 0, b.length, 123_456, 3);
        assertEquals(2, m.patternErrors());
        assertEquals(5000 + 2000 + 1460 + 5000, m.bytesTotal());
    }

    @Test
    void tcpSendDeliversItsStreamToTheHost() {
        Bed b = new Bed(100_000_000L, Faults.NONE, PeerProfile.LINUX,
                List.of(new PeerService.TcpSend(HOST_IP, 6000, 500_000, 1 * MS, true)));
        StreamMeter got = new StreamMeter(true, 0);
        MemorySegment buf = Arena.ofAuto().allocate(65536);
        long[] offset = {0};
        b.host.listenTcp(6000, (s, now) -> new HostTcpSocket.Events() {
            @Override
            public void readable(HostTcpSocket s1, long nowNs) {
                int n;
                while ((n = s1.read(buf, 0, (int) buf.byteSize(), nowNs)) > 0) {
                    got.record(buf, 0, n, offset[0], nowNs);
                    offset[0] += n;
                }
            }

            @Override
            public void finReceived(HostTcpSocket s1, long nowNs) {
                s1.close(nowNs);
            }
        });
        b.run(20 * S);
        assertEquals(500_000, got.bytesTotal());
        assertTrue(got.verified());
        Map<String, Object> f = b.peer.report();
        @SuppressWarnings("unchecked")
        Map<String, Object> send = (Map<String, Object>) f.get("tcp_send:6000");
        assertEquals(500_000L, send.get("bytes_acked"));
        assertEquals("TIME-WAIT", send.get("state"), "it closed first");
    }

    @Test
    void aSunOsPeerOffersEightKilobytesAndNoOptions() {
        Bed b = new Bed(10_000_000L, Faults.NONE, PeerProfile.SUNOS, List.of(new PeerService.TcpSink(5001, true)));
        Sender snd = new Sender(200_000);
        HostTcpSocket s = b.host.connectTcp(0, PEER_IP, 5001, snd, 0);
        b.run(60 * S);
        assertEquals(200_000, b.peer.tcpSink(5001).bytesTotal());
        assertEquals(8192, s.connection().maxSndWnd());
        assertTrue(!s.connection().timestamps() && !s.connection().sack() && !s.connection().windowScaling());
    }

    @Test
    void aNetBsdPeerNegotiatesTimestampsButNoSack() {
        Bed b = new Bed(10_000_000L, Faults.NONE, PeerProfile.NETBSD, List.of(new PeerService.TcpSink(5001, true)));
        HostTcpSocket s = b.host.connectTcp(0, PEER_IP, 5001, new Sender(10_000), 0);
        b.run(5 * S);
        assertTrue(s.connection().timestamps());
        assertTrue(s.connection().windowScaling());
        assertTrue(!s.connection().sack());
    }

    @Test
    void aSlowReceiversCpuHoldsThroughputBelowTheWire() {
        double ideal = sendToSink(PeerProfile.IDEAL, Faults.NONE, 1_000_000, 100_000_000L, 30 * S).goodputBps();
        double netbsd = sendToSink(PeerProfile.NETBSD, Faults.NONE, 1_000_000, 100_000_000L, 60 * S).goodputBps();
        assertTrue(netbsd < 9e6, "≈ 1.36 ms per full frame: " + netbsd);
        assertTrue(ideal > 5 * netbsd, ideal + " vs " + netbsd);
    }

    @Test
    void profilesByName() {
        assertEquals(PeerProfile.LINUX, PeerProfile.named("Linux"));
        assertEquals(PeerProfile.SUNOS, PeerProfile.named("sunos"));
        assertEquals(PeerProfile.NETBSD, PeerProfile.named("NETBSD"));
        assertEquals(300_000L + 1_180_920L, PeerProfile.NETBSD.processingNs(1514)); // 300 us + 0.78 ns x 1514 bytes
        assertEquals(0, PeerProfile.IDEAL.processingNs(1514));
    }
}

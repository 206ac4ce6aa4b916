package nemesis.inet.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nemesis.drivers.sim.ManualTimeline;
import nemesis.inet.HostConfig;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.TcpConfig;
import nemesis.inet.tcp.TcpState;
import nemesis.wire.EthernetFrame;
import org.junit.jupiter.api.Test;

/** TCP in the conventional host stack: two stacks on a timed wire with seeded faults. */
class HostTcpTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    /** Two host stacks, frames delayed 1 ms, each lost/duplicated/reordered/corrupted with the given odds. */
    static final class TimedWire {
        final ManualTimeline tl = new ManualTimeline();
        final Random rnd;
        final double loss;
        final double dup;
        final double reorder;
        final double corrupt;
        final HostStack a;
        final HostStack b;
        long armedA = Long.MAX_VALUE;
        long armedB = Long.MAX_VALUE;
        int corrupted;

        TimedWire(long seed, double loss, double dup, double reorder, double corrupt) {
            this.rnd = new Random(seed);
            this.loss = loss;
            this.dup = dup;
            this.reorder = reorder;
            this.corrupt = corrupt;
            a = new HostStack(Wire.A, (m, off, len, now) -> send(true, m, off, len));
            b = new HostStack(Wire.B, (m, off, len, now) -> send(false, m, off, len));
            a.addStaticArp(Wire.B.ip(), Wire.B.mac());
            b.addStaticArp(Wire.A.ip(), Wire.A.mac());
        }

        private void send(boolean toB, MemorySegment m, long off, int len) {
            byte[] f = m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            if (rnd.nextDouble() < loss) {
                return;
            }
            int copies = rnd.nextDouble() < dup ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                byte[] g = f.clone();
                if (rnd.nextDouble() < corrupt) {
                    corrupted++;
                    int bit = (EthernetFrame.HEADER_LEN * 8) + rnd.nextInt((g.length - EthernetFrame.HEADER_LEN) * 8);
                    g[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                long at = tl.nowNs() + 1 * MS + (rnd.nextDouble() < reorder ? (long) (rnd.nextDouble() * 3 * MS) : 0);
                HostStack to = toB ? b : a;
                tl.at(at, () -> {
                    to.receive(g, g.length, tl.nowNs());
                    arm();
                });
            }
        }

        void arm() {
            long ta = a.nextTimerNs();
            if (ta < armedA) {
                armedA = ta;
                tl.at(ta, () -> {
                    armedA = Long.MAX_VALUE;
                    a.poll(tl.nowNs());
                    arm();
                });
            }
            long tb = b.nextTimerNs();
            if (tb < armedB) {
                armedB = tb;
                tl.at(tb, () -> {
                    armedB = Long.MAX_VALUE;
                    b.poll(tl.nowNs());
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

    /** An application that sends {@code out} then closes, and collects what it receives. */
    static final class App implements HostTcpSocket.Events {
        final byte[] out;
        int sent;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        final byte[] buf = new byte[5000];
        final List<String> events = new ArrayList<>();
        CloseReason closed;
        boolean fin;

        App(byte[] out) {
            this.out = out;
        }

        @Override
        public void established(HostTcpSocket s, long nowNs) {
            events.add("established");
            push(s, nowNs);
        }

        @Override
        public void writable(HostTcpSocket s, long nowNs) {
            push(s, nowNs);
        }

        void push(HostTcpSocket s, long nowNs) {
            while (sent < out.length) {
                int n = s.write(out, sent, out.length - sent, nowNs);
                if (n == 0) {
                    return;
                }
                sent += n;
            }
            if (!s.finQueued()) {
                s.shutdownOutput(nowNs);
            }
        }

        @Override
        public void readable(HostTcpSocket s, long nowNs) {
            int n;
            while ((n = s.read(buf, 0, buf.length, nowNs)) > 0) {
                in.write(buf, 0, n);
            }
        }

        @Override
        public void finReceived(HostTcpSocket s, long nowNs) {
            fin = true;
            events.add("fin");
        }

        @Override
        public void closed(HostTcpSocket s, CloseReason why, long nowNs) {
            closed = why;
            events.add("closed " + why);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void listenConnectTransferBothWaysAndClose() {
        TimedWire w = new TimedWire(1, 0, 0, 0, 0);
        byte[] ab = random(200_000, 1);
        byte[] ba = random(70_000, 2);
        App server = new App(ba);
        assertTrue(w.b.listenTcp(80, (s, now) -> server));
        App client = new App(ab);
        HostTcpSocket c = w.a.connectTcp(0, Wire.B.ip(), 80, client, 0);
        assertTrue(c.localPort() >= 49152, "a dynamic port");
        w.run(10 * S);
        assertArrayEquals(ab, server.in.toByteArray());
        assertArrayEquals(ba, client.in.toByteArray());
        assertTrue(client.fin && server.fin);
        w.run(200 * S);
        assertEquals(CloseReason.NORMAL, client.closed);
        assertEquals(CloseReason.NORMAL, server.closed);
        assertEquals(0, w.a.tcpSockets().size(), "ended connections are forgotten");
        assertEquals(0, w.b.tcpSockets().size());
        assertEquals(0, w.a.unaccountedDatagrams());
        assertEquals(0, w.b.unaccountedDatagrams());
        assertEquals(List.of("established", "fin", "closed NORMAL"), client.events);
    }

    @Test
    void aSynToAClosedPortIsRefusedWithAReset() {
        TimedWire w = new TimedWire(1, 0, 0, 0, 0);
        App client = new App(new byte[10]);
        w.a.connectTcp(5555, Wire.B.ip(), 81, client, 0);
        w.run(1 * S);
        assertEquals(CloseReason.REFUSED, client.closed);
        assertEquals(1, w.b.tcpResetsSent());
        assertEquals(1, w.b.drops().get(HostStack.Drop.TCP_NO_CONNECTION));
    }

    @Test
    void anAcceptorMayRefuse() {
        TimedWire w = new TimedWire(1, 0, 0, 0, 0);
        w.b.listenTcp(80, (s, now) -> null);
        App client = new App(new byte[10]);
        w.a.connectTcp(0, Wire.B.ip(), 80, client, 0);
        w.run(1 * S);
        assertEquals(CloseReason.REFUSED, client.closed);
        assertEquals(1, w.b.drops().get(HostStack.Drop.TCP_REFUSED));
        assertTrue(w.b.listenTcp(81, (s, now) -> null));
        assertTrue(!w.b.listenTcp(80, (s, now) -> null), "taken");
    }

    /** A TCP segment from A to B as a whole Ethernet frame. */
    static byte[] frame(int flags, int seq, int ack, int srcPort, int dstPort, int dataLen) {
        nemesis.inet.wire.TcpHeaderOut h = new nemesis.inet.wire.TcpHeaderOut();
        h.srcPort = srcPort;
        h.dstPort = dstPort;
        h.seq = seq;
        h.ack = ack;
        h.flags = flags;
        h.window = 1000;
        int tcpLen = 20 + dataLen;
        byte[] f = new byte[14 + 20 + tcpLen];
        MemorySegment m = MemorySegment.ofArray(f);
        nemesis.inet.Headers.ethernet(m, 0, Wire.B.mac(), Wire.A.mac(), EthernetFrame.ETHERTYPE_IPV4);
        nemesis.inet.Headers.ipv4(m, 14, Wire.A.ip(), Wire.B.ip(), 6, tcpLen, 1, 64, 0);
        h.write(m, 34);
        nemesis.inet.wire.TcpChecksum.fill(m, 34, tcpLen, Wire.A.ip(), Wire.B.ip());
        return f;
    }

    @Test
    void aStraySegmentGetsAResetByRfc9293AndAResetGetsNothing() {
        List<byte[]> out = new ArrayList<>();
        HostStack b = new HostStack(Wire.B, (m, off, len, now) -> out.add(m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
        b.addStaticArp(Wire.A.ip(), Wire.A.mac());
        byte[] ack = frame(nemesis.inet.wire.TcpHeader.ACK, 100, 5000, 4000, 80, 0);
        b.receive(ack, ack.length, 0);
        assertEquals(1, out.size());
        nemesis.inet.wire.TcpHeader r = new nemesis.inet.wire.TcpHeader().wrap(MemorySegment.ofArray(out.get(0)), 34,
                out.get(0).length - 34);
        assertEquals(nemesis.inet.wire.TcpHeader.Check.OK, r.validate(out.get(0).length - 34, Wire.B.ip(), Wire.A.ip()));
        assertEquals(nemesis.inet.wire.TcpHeader.RST, r.flags(), "<SEQ=SEG.ACK><CTL=RST>");
        assertEquals(5000, r.seq());
        assertEquals(4000, r.dstPort());
        byte[] data = frame(nemesis.inet.wire.TcpHeader.PSH, 100, 0, 4000, 80, 10);
        b.receive(data, data.length, 0);
        r.wrap(MemorySegment.ofArray(out.get(1)), 34, out.get(1).length - 34);
        r.validate(out.get(1).length - 34, Wire.B.ip(), Wire.A.ip());
        assertEquals(nemesis.inet.wire.TcpHeader.RST | nemesis.inet.wire.TcpHeader.ACK, r.flags());
        assertEquals(0, r.seq());
        assertEquals(110, r.ack(), "<ACK=SEG.SEQ+SEG.LEN>");
        byte[] rst = frame(nemesis.inet.wire.TcpHeader.RST, 100, 0, 4000, 80, 0);
        b.receive(rst, rst.length, 0);
        assertEquals(2, out.size(), "never a RST for a RST");
        assertEquals(3, b.drops().get(HostStack.Drop.TCP_NO_CONNECTION));
        assertEquals(0, b.unaccountedDatagrams());
        byte[] bad = frame(nemesis.inet.wire.TcpHeader.ACK, 1, 1, 4000, 80, 0);
        bad[bad.length - 1] ^= 1;
        b.receive(bad, bad.length, 0);
        assertEquals(1, b.drops().get(HostStack.Drop.TCP_BAD_CHECKSUM));
    }

    @Test
    void byteExactUnderLossDuplicationReorderingAndCorruption() {
        for (long seed = 1; seed <= 6; seed++) {
            for (TcpConfig cfg : new TcpConfig[] {TcpConfig.modern(), TcpConfig.bsd44()}) {
                TimedWire w = new TimedWire(seed, 0.05, 0.02, 0.05, 0.01);
                w.a.tcpConfig(cfg);
                w.b.tcpConfig(cfg);
                byte[] ab = random(150_000, seed);
                byte[] ba = random(90_000, ~seed);
                App server = new App(ba);
                w.b.listenTcp(80, (s, now) -> server);
                App client = new App(ab);
                w.a.connectTcp(0, Wire.B.ip(), 80, client, 0);
                w.run(300 * S);
                assertArrayEquals(ab, server.in.toByteArray(), "seed " + seed);
                assertArrayEquals(ba, client.in.toByteArray(), "seed " + seed);
                assertEquals(0, w.a.unaccountedDatagrams());
                assertEquals(0, w.b.unaccountedFrames());
                assertEquals(CloseReason.NORMAL, client.closed);
            }
        }
    }

    @Test
    void theMssIsCutToTheMtu() {
        HostStack h = new HostStack(new HostConfig(1, 24, 0, 2, 576), (m, o, l, n) -> { });
        h.tcpConfig(TcpConfig.modern());
        assertEquals(536, h.tcpConfig().mss());
    }
}

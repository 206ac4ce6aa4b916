package nemesis.inet.tcp;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import nemesis.drivers.sim.ManualTimeline;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;

/**
 * Two {@link TcpConnection}s joined by a simulated wire, in emulated time (a {@link ManualTimeline}:
 * time jumps to the next event). Each direction serialises segments at {@code rateBps}, queues at
 * most {@code queueFrames} full frames (tail drop), delays them by {@code propNs}, and applies seeded
 * faults: loss, duplication, reordering (an extra delay of up to three propagation times), and
 * corruption (one flipped bit, which the receiving end's checksum check must catch: it then counts
 * as a loss). The applications: each writes its whole stream at once and queues its FIN; each
 * reads everything at once (or, with a slow reader, {@code readBytes} every {@code readEveryNs}).
 */
final class Net {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final int A_IP = 0x0A00_0001;
    static final int B_IP = 0x0A00_0002;
    static final int A_PORT = 40000;
    static final int B_PORT = 80;

    record Faults(double loss, double duplicate, double reorder, double corrupt) {
        static final Faults NONE = new Faults(0, 0, 0, 0);
    }

    final ManualTimeline tl = new ManualTimeline();
    final Random rnd;
    final Faults faults;
    final long rateBps;
    final long propNs;
    final int queueFrames;
    final End a;
    final End b;
    long lost;
    long queueDrops;
    long duplicated;
    long reordered;
    long corrupted;
    long corruptedCaught;
    long frames;
    /** Called with each segment a sends (for fuzzers): may return false to suppress it. */
    java.util.function.BiPredicate<End, byte[]> tap = (e, f) -> true;

    Net(TcpConfig ca, TcpConfig cb, Faults faults, long seed, long rateBps, long propNs, int queueFrames) {
        this.rnd = new Random(seed);
        this.faults = faults;
        this.rateBps = rateBps;
        this.propNs = propNs;
        this.queueFrames = queueFrames;
        this.a = new End("a", ca, A_IP, A_PORT, B_IP, B_PORT);
        this.b = new End("b", cb, B_IP, B_PORT, A_IP, A_PORT);
        a.peer = b;
        b.peer = a;
    }

    Net(TcpConfig c, Faults faults, long seed) {
        this(c, c, faults, seed, 100_000_000L, 1 * MS, 64);
    }

    /** One end: its connection, its application's streams. */
    final class End implements TcpOutput {
        final String name;
        final int ip;
        final int port;
        final TcpConnection conn;
        final Streams.Send snd = new Streams.Send();
        final Streams.Receive rcv;
        final TransitionLog log = new TransitionLog();
        final TcpHeader in = new TcpHeader();
        End peer;
        long busyUntil;
        long armedAt = Long.MAX_VALUE;
        boolean kicked;
        long readBytes = -1;
        long readEveryNs;
        long doneNs = -1;

        End(String name, TcpConfig cfg, int ip, int port, int peerIp, int peerPort) {
            this.name = name;
            this.ip = ip;
            this.port = port;
            this.rcv = new Streams.Receive(cfg.receiveBuffer());
            this.conn = new TcpConnection(cfg, ip, port, peerIp, peerPort, this, snd, rcv, log);
        }

        @Override
        public void segment(TcpHeaderOut h, long from, int len) {
            byte[] f = new byte[h.headerLength() + len];
            MemorySegment m = MemorySegment.ofArray(f);
            int hl = h.write(m, 0);
            if (len > 0) {
                System.arraycopy(snd.slice(from, len), 0, f, hl, len);
            }
            TcpChecksum.fill(m, 0, f.length, h.srcIp, h.dstIp);
            if (tap.test(this, f)) {
                wire(this, f);
            }
        }

        void receive(byte[] f) {
            in.wrap(MemorySegment.ofArray(f), 0, f.length);
            if (in.validate(f.length, peer.ip, ip) != TcpHeader.Check.OK) {
                corruptedCaught++;
                return;
            }
            conn.input(in, tl.nowNs());
            after();
        }

        /** Raw bytes straight to this end (a fuzzer's segment). */
        void inject(byte[] f) {
            receive(f);
        }

        void after() {
            long now = tl.nowNs();
            if (!kicked && conn.state().isSynchronized()) {
                kicked = true;
                conn.send(now); // the application notices the connection (and queues its FIN)
            }
            arm();
        }

        void arm() {
            long t = conn.nextTimerNs();
            if (t != Long.MAX_VALUE && t < armedAt) {
                armedAt = t;
                tl.at(t, this::fire);
            }
        }

        private void fire() {
            armedAt = Long.MAX_VALUE;
            if (conn.nextTimerNs() <= tl.nowNs()) {
                conn.onTimer(tl.nowNs());
            }
            after();
        }

        /** A slow reader: takes {@code n} bytes every {@code everyNs}. */
        void slowReader(long n, long everyNs) {
            rcv.autoRead = false;
            readBytes = n;
            readEveryNs = everyNs;
            tl.at(everyNs, this::read);
        }

        private void read() {
            if (rcv.unread > 0) {
                rcv.read((int) Math.min(readBytes, rcv.unread));
                conn.receiveWindowOpened(tl.nowNs());
                after();
            }
            if (conn.state() != TcpState.CLOSED) {
                tl.at(tl.nowNs() + readEveryNs, this::read);
            }
        }

        boolean finished(byte[] expected) {
            return rcv.fin && rcv.size() == expected.length && conn.finAcked();
        }
    }

    private void wire(End from, byte[] f) {
        frames++;
        long now = tl.nowNs();
        if (rnd.nextDouble() < faults.loss) {
            lost++;
            return;
        }
        long ser = Math.max(1, (f.length + 40L) * 8 * S / rateBps); // + IPv4 and Ethernet headers
        long fullFrame = 1538L * 8 * S / rateBps;
        if (from.busyUntil - now > queueFrames * fullFrame) {
            queueDrops++;
            return;
        }
        from.busyUntil = Math.max(from.busyUntil, now) + ser;
        long arrive = from.busyUntil + propNs;
        int copies = rnd.nextDouble() < faults.duplicate ? 2 : 1;
        if (copies == 2) {
            duplicated++;
        }
        End to = from.peer;
        for (int i = 0; i < copies; i++) {
            byte[] g = i == 0 ? f : f.clone();
            if (rnd.nextDouble() < faults.corrupt) {
                corrupted++;
                g = g.clone(); // the other copy stays intact
                int bit = rnd.nextInt(g.length * 8);
                g[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            long at = arrive;
            if (rnd.nextDouble() < faults.reorder) {
                reordered++;
                at += 1 + (long) (rnd.nextDouble() * 3 * propNs);
            }
            byte[] h = g;
            tl.at(at, () -> to.receive(h));
        }
    }

    /** Opens (a active, b passive), queues both streams and both FINs, and runs until both are done or {@code limitNs}. */
    long transfer(byte[] aToB, byte[] bToA, long limitNs) {
        b.conn.listen(0);
        a.snd.write(aToB);
        a.snd.fin = true;
        b.snd.write(bToA);
        b.snd.fin = true;
        a.conn.connect(0);
        a.conn.send(0);
        a.arm();
        return runUntilDone(aToB, bToA, limitNs);
    }

    long runUntilDone(byte[] aToB, byte[] bToA, long limitNs) {
        while (true) {
            long now = tl.nowNs();
            if (a.doneNs < 0 && b.finished(aToB) && a.conn.finAcked()) {
                a.doneNs = now;
            }
            if (b.doneNs < 0 && a.finished(bToA) && b.conn.finAcked()) {
                b.doneNs = now;
            }
            if (a.finished(bToA) && b.finished(aToB)) {
                return now;
            }
            if (a.conn.state() == TcpState.CLOSED && b.conn.state() == TcpState.CLOSED) {
                return now;
            }
            long next = tl.nextEventNs();
            if (next == Long.MAX_VALUE || next > limitNs) {
                return -1;
            }
            tl.runUntil(next);
        }
    }

    /** Runs on until nothing is left to do (TIME-WAIT ends) or {@code limitNs}. */
    void drain(long limitNs) {
        while (tl.nextEventNs() <= limitNs) {
            tl.runUntil(tl.nextEventNs());
        }
    }
}

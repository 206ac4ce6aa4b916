package nemesis.inet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;

/**
 * One connection under test and a scripted peer: segments the connection sends are captured (each
 * written to bytes, checksummed and parsed back, so the writer and the parser are exercised too),
 * and segments built here are fed to it. Sequence numbers in the script are relative: ours to the
 * connection's ISS, the peer's to {@link #PEER_ISS}.
 */
final class Rig implements TcpOutput {
    static final int LOCAL_IP = 0x0A00_0001;
    static final int REMOTE_IP = 0x0A00_0002;
    static final int LOCAL_PORT = 1000;
    static final int REMOTE_PORT = 2000;
    static final int PEER_ISS = 0x7FFF_FF00; // wraps soon after the start
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    /** A segment the connection sent, relative to the ISNs. */
    record Out(long seq, long ack, int flags, int window, int mss, int wscale, boolean sackOk, boolean ts, int tsVal,
               int tsEcr, long[] sack, byte[] payload) {
        boolean has(int f) {
            return (flags & f) != 0;
        }

        int len() {
            return payload.length;
        }

        @Override
        public String toString() {
            return "[" + TcpHeaderOut.flagString(flags) + "] seq " + seq + " ack " + ack + " win " + window + " len "
                    + payload.length + (sack.length > 0 ? " sack " + Arrays.toString(sack) : "");
        }
    }

    final List<Out> sent = new ArrayList<>();
    final Streams.Send snd = new Streams.Send();
    final Streams.Receive rcv;
    final TransitionLog log = new TransitionLog();
    final TcpConfig cfg;
    final TcpConnection c;
    private final MemorySegment buf = MemorySegment.ofArray(new byte[70_000]);
    private final TcpHeader parsed = new TcpHeader();
    private final TcpHeader in = new TcpHeader();
    private final TcpHeaderOut build = new TcpHeaderOut();

    Rig(TcpConfig cfg) {
        this(cfg, REMOTE_PORT);
    }

    Rig(TcpConfig cfg, int remotePort) {
        this.cfg = cfg;
        this.rcv = new Streams.Receive(cfg.receiveBuffer());
        this.c = new TcpConnection(cfg, LOCAL_IP, LOCAL_PORT, remotePort == 0 ? 0 : REMOTE_IP, remotePort, this, snd,
                rcv, log);
    }

    /** A plain configuration: no options, no delayed ACK unless asked, 1 s minimum RTO. */
    static TcpConfig plain() {
        return TcpConfig.bsd44().toBuilder().receiveBuffer(16384).sendBuffer(16384).build();
    }

    // ---- fixtures

    /** SYN-SENT at {@code now}: our SYN is {@code sent.get(0)}. */
    static Rig synSent(TcpConfig cfg, long now) {
        Rig r = new Rig(cfg);
        r.c.connect(now);
        return r;
    }

    /** ESTABLISHED (active open at 0, SYN-ACK at 10 ms), peer window 65535, MSS 1460, no options; sent cleared. */
    static Rig established(TcpConfig cfg) {
        Rig r = synSent(cfg, 0);
        r.seg().syn().ack(1).seq(0).mss(1460).in(10 * MS);
        assertEquals(TcpState.ESTABLISHED, r.c.state());
        r.sent.clear();
        r.log.clear();
        return r;
    }

    static Rig established() {
        return established(plain());
    }

    /** SYN-RECEIVED from a passive open: LISTEN, the peer's SYN at {@code now}. */
    static Rig synReceived(TcpConfig cfg, long now) {
        Rig r = new Rig(cfg);
        r.c.listen(now);
        r.seg().syn().seq(0).mss(1460).in(now);
        return r;
    }

    /** ESTABLISHED from a passive open (SYN at 0, its ACK at 10 ms). */
    static Rig establishedPassive(TcpConfig cfg) {
        Rig r = synReceived(cfg, 0);
        r.seg().ack(1).seq(1).in(10 * MS);
        assertEquals(TcpState.ESTABLISHED, r.c.state());
        r.sent.clear();
        r.log.clear();
        return r;
    }

    // ---- the connection's output

    @Override
    public void segment(TcpHeaderOut h, long payloadFrom, int payloadLen) {
        int hl = h.write(buf, 0);
        assertEquals(h.headerLength(), hl);
        byte[] payload = payloadLen == 0 ? new byte[0] : snd.slice(payloadFrom, payloadLen);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buf, hl, payloadLen);
        TcpChecksum.fill(buf, 0, hl + payloadLen, h.srcIp, h.dstIp);
        parsed.wrap(buf, 0, hl + payloadLen);
        assertEquals(TcpHeader.Check.OK, parsed.validate(hl + payloadLen, h.srcIp, h.dstIp));
        assertEquals(0, parsed.optionErrors());
        long[] sack = new long[parsed.sackCount() * 2];
        for (int i = 0; i < parsed.sackCount(); i++) {
            sack[2 * i] = Integer.toUnsignedLong(parsed.sackLeft(i) - PEER_ISS);
            sack[2 * i + 1] = Integer.toUnsignedLong(parsed.sackRight(i) - PEER_ISS);
        }
        sent.add(new Out(Integer.toUnsignedLong(parsed.seq() - c.iss()),
                parsed.has(TcpHeader.ACK) ? Integer.toUnsignedLong(parsed.ack() - PEER_ISS) : -1, parsed.flags(),
                parsed.window(), parsed.mssOption(), parsed.windowScaleOption(), parsed.sackPermitted(),
                parsed.hasTimestamps(), parsed.tsVal(), parsed.tsEcr(), sack, payload));
    }

    Out last() {
        return sent.get(sent.size() - 1);
    }

    /** The segments sent since the last call, and forget them. */
    List<Out> take() {
        List<Out> l = new ArrayList<>(sent);
        sent.clear();
        return l;
    }

    // ---- segments to the connection

    Seg seg() {
        return new Seg();
    }

    /** A segment from the peer, built field by field. */
    final class Seg {
        int flags;
        long seq;
        long ack;
        boolean rawSeq;
        int window = 65535;
        int mss = -1;
        int wscale = -1;
        boolean sackOk;
        boolean ts;
        int tsVal;
        int tsEcr;
        final List<long[]> sack = new ArrayList<>();
        byte[] data = new byte[0];
        int srcPort = REMOTE_PORT;

        Seg syn() {
            flags |= TcpHeader.SYN;
            return this;
        }

        Seg fin() {
            flags |= TcpHeader.FIN;
            return this;
        }

        Seg rst() {
            flags |= TcpHeader.RST;
            return this;
        }

        /** ACK bit, and the acknowledgment relative to our ISS. */
        Seg ack(long rel) {
            flags |= TcpHeader.ACK;
            ack = rel;
            return this;
        }

        /** Our sequence relative to the peer's ISS. */
        Seg seq(long rel) {
            seq = rel;
            return this;
        }

        Seg win(int w) {
            window = w;
            return this;
        }

        Seg mss(int m) {
            mss = m;
            return this;
        }

        Seg wscale(int s) {
            wscale = s;
            return this;
        }

        Seg sackOk() {
            sackOk = true;
            return this;
        }

        Seg ts(int val, int ecr) {
            ts = true;
            tsVal = val;
            tsEcr = ecr;
            return this;
        }

        /** A SACK block, relative to our ISS. */
        Seg sack(long left, long right) {
            sack.add(new long[] {left, right});
            return this;
        }

        Seg data(byte[] d) {
            data = d;
            return this;
        }

        Seg data(int n) {
            data = new byte[n];
            for (int i = 0; i < n; i++) {
                data[i] = (byte) (seq + i);
            }
            return this;
        }

        Seg from(int port) {
            srcPort = port;
            return this;
        }

        /** Feeds it to the connection at {@code now}. */
        Rig in(long now) {
            TcpHeaderOut h = build.clear();
            h.srcIp = REMOTE_IP;
            h.dstIp = LOCAL_IP;
            h.srcPort = srcPort;
            h.dstPort = LOCAL_PORT;
            h.seq = PEER_ISS + (int) seq;
            h.ack = c.iss() + (int) ack;
            h.flags = flags;
            h.window = window;
            h.mss = mss;
            h.wscale = wscale;
            h.sackPermitted = sackOk;
            h.timestamps = ts;
            h.tsVal = tsVal;
            h.tsEcr = tsEcr;
            h.sackCount = sack.size();
            for (int i = 0; i < sack.size(); i++) {
                h.sackLeft[i] = c.iss() + (int) sack.get(i)[0];
                h.sackRight[i] = c.iss() + (int) sack.get(i)[1];
            }
            byte[] b = new byte[h.headerLength() + data.length];
            MemorySegment m = MemorySegment.ofArray(b);
            int hl = h.write(m, 0);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, m, hl, data.length);
            TcpChecksum.fill(m, 0, b.length, REMOTE_IP, LOCAL_IP);
            in.wrap(m, 0, b.length);
            assertEquals(TcpHeader.Check.OK, in.validate(b.length, REMOTE_IP, LOCAL_IP));
            c.input(in, now);
            return Rig.this;
        }
    }

    /** Runs the connection's timers up to {@code now}, in order; returns how many deadlines fired. */
    int timers(long now) {
        int n = 0;
        for (long t = c.nextTimerNs(); t <= now; t = c.nextTimerNs()) {
            c.onTimer(t);
            n++;
            if (n > 10_000) {
                throw new AssertionError("timer loop");
            }
        }
        return n;
    }
}

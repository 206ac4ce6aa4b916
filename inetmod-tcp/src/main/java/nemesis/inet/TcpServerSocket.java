package nemesis.inet;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientChannels;
import nemesis.inet.tcp.TcpConfig;
import java.lang.foreign.MemorySegment;
import nemesis.inet.tcp.TcpResets;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.Kernel;
import nemesis.wire.BigEndian;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * A listening TCP port in a Nemesis domain. The listening flow receives what comes to the port
 * and matches no connection; each SYN becomes a connection with a flow of its own (its own
 * channels, transmit reservation and receive filter for that one remote end), made by the
 * listener's thread and handed to {@link #accept}. Anything else that reaches the listener is
 * answered as RFC 9293 says a LISTEN state answers it: a reset to an ACK, nothing to a reset.
 */
public final class TcpServerSocket {
    /** Connections waiting for accept(); more SYNs are ignored (the peer will retry them). */
    public static final int BACKLOG = 16;

    private final InetMod inet;
    private final DomainContext ctx;
    private final ClientChannels ch;
    private final int flow;
    private final int port;
    private final Qos txQos;
    private final TcpConfig config;
    private final TcpSocket[] queue = new TcpSocket[BACKLOG];
    private int head;
    private int count;
    private final EventCount arrivals;
    private boolean closed;
    private int accepted;
    private long synsIgnored;
    private final ClientChannels.RxFrame frame = new ClientChannels.RxFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpHeader seg = new TcpHeader();

    TcpServerSocket(InetMod inet, ClientChannels ch, int flow, int port, Qos txQos, TcpConfig config) {
        this.inet = inet;
        this.ctx = inet.domain();
        this.ch = ch;
        this.flow = flow;
        this.port = port;
        this.txQos = txQos;
        this.config = config;
        this.arrivals = ctx.newEventCount("listen." + port + ".accept");
        ctx.spawn("listen." + port, this::listenLoop);
    }

    public int port() {
        return port;
    }

    /** The next connection, waiting until {@code untilNs} (null on timeout). */
    public TcpSocket accept(long untilNs) {
        while (count == 0) {
            if (closed || !arrivals.await(arrivals.read() + 1, untilNs)) {
                return null;
            }
        }
        TcpSocket s = queue[head];
        queue[head] = null;
        head = (head + 1) % BACKLOG;
        count--;
        return s;
    }

    /** Stops listening; connections already made go on. */
    public void close() {
        if (!closed) {
            closed = true;
            arrivals.advance(1);
            inet.flowManager().close(flow);
        }
    }

    private final TcpHeaderOut reset = new TcpHeaderOut();

    private void sendReset(long dstMac) {
        int b = ch.allocate(0);
        if (b < 0) {
            return;
        }
        MemorySegment m = ch.txMemory();
        long at = ch.txHeaderOffset(b);
        long t = at + EthernetFrame.HEADER_LEN + Headers.IPV4;
        int hl = reset.write(m, t);
        Headers.ethernet(m, at, dstMac, inet.config().mac(), EthernetFrame.ETHERTYPE_IPV4);
        Headers.ipv4(m, at + EthernetFrame.HEADER_LEN, reset.srcIp, reset.dstIp, Ipv4Packet.PROTO_TCP, hl, 0, 64,
                Ipv4Packet.FLAG_DF);
        TcpChecksum.fill(m, t, hl, reset.srcIp, reset.dstIp);
        if (!ch.send(b, EthernetFrame.HEADER_LEN + Headers.IPV4 + hl, 0, 0)) {
            ch.free(b);
        }
    }

    /**
     * SYNs ignored: the backlog was full, there was no transmit reservation for another
     * connection, or the flow manager refused it (a duplicate SYN from a remote end that has a
     * connection already, or the listener closed meanwhile).
     */
    public long synsIgnored() {
        return synsIgnored;
    }

    private void listenLoop() {
        while (!closed) {
            if (!ch.receive(frame, Kernel.NEVER)) {
                continue;
            }
            try {
                segment(frame);
            } finally {
                ch.recycle(frame);
            }
        }
    }

    private void segment(ClientChannels.RxFrame f) {
        int len = f.length();
        if (len < EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN + TcpHeader.MIN_HEADER_LEN) {
            return;
        }
        Ipv4Packet p = ip.wrap(f.memory(), f.offset() + EthernetFrame.HEADER_LEN, len - EthernetFrame.HEADER_LEN);
        if (p.validate() != Ipv4Packet.Check.OK || p.protocol() != Ipv4Packet.PROTO_TCP || p.isFragment()) {
            return;
        }
        int tcpLen = p.totalLength() - p.headerLength();
        TcpHeader s = seg.wrap(f.memory(), f.offset() + EthernetFrame.HEADER_LEN + p.headerLength(), tcpLen);
        if (s.validate(tcpLen, p.src(), p.dst()) != TcpHeader.Check.OK) {
            return;
        }
        long srcMac = (long) BigEndian.u16(f.memory(), f.offset() + EthernetFrame.SRC_OFFSET) << 32
                | (BigEndian.i32(f.memory(), f.offset() + EthernetFrame.SRC_OFFSET + 2) & 0xFFFF_FFFFL);
        boolean isSyn = s.has(TcpHeader.SYN) && !s.has(TcpHeader.ACK) && !s.has(TcpHeader.RST);
        if (!isSyn) {
            // RFC 9293 §3.10.7.2, LISTEN: a reset is ignored, an ACK gets a reset.
            if (s.has(TcpHeader.ACK) && TcpResets.answer(s, reset)) {
                sendReset(srcMac);
            }
            return;
        }
        if (count == BACKLOG) {
            synsIgnored++; // the peer will retry the SYN
            return;
        }
        TcpSocket c;
        try {
            c = inet.acceptTcp(this, flow, port, s.srcIp(), s.srcPort(), srcMac, txQos, config,
                    "tcp." + port + "." + accepted++);
        } catch (AdmissionException e) {
            synsIgnored++;
            return; // no transmit reservation for another connection: the peer will retry
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The flow manager refused the connection: one from that remote end exists already
            // (this SYN is a duplicate or a retransmission of the one that made it, which reached
            // us before that connection's own receive filter was in place; the connection answers
            // the next one itself), or this listener was closed meanwhile.
            synsIgnored++;
            return;
        }
        c.accepted(s);
        queue[(head + count) % BACKLOG] = c;
        count++;
        arrivals.advance(1);
    }
}

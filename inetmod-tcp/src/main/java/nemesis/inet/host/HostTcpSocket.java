package nemesis.inet.host;

import java.lang.foreign.MemorySegment;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.ReceiveStream;
import nemesis.inet.tcp.SendStream;
import nemesis.inet.tcp.TcpConfig;
import nemesis.inet.tcp.TcpConnection;
import nemesis.inet.tcp.TcpOutput;
import nemesis.inet.tcp.TcpState;
import nemesis.inet.wire.TcpHeaderOut;

/**
 * A TCP connection of the conventional {@link HostStack}: a {@link TcpConnection} with the
 * application's data in two byte rings of the stack's own (unlike InetMod, a conventional host
 * copies: into the send ring on {@link #write}, out of the receive ring on {@link #read}).
 *
 * <p>The application hears of progress through {@link Events}, always after the connection's own
 * processing returned (never from inside it), so an event handler may read, write or close.
 * Nothing here allocates once the socket exists.
 */
public final class HostTcpSocket implements SendStream, ReceiveStream, TcpOutput {
    /** What the application is told; every method has a default that ignores it. */
    public interface Events {
        default void established(HostTcpSocket s, long nowNs) {
        }

        /** Data waits: {@link #available()} bytes. */
        default void readable(HostTcpSocket s, long nowNs) {
        }

        /** Acknowledged data left the send ring: {@link #sendSpace()} grew. */
        default void writable(HostTcpSocket s, long nowNs) {
        }

        /** The peer's FIN, after its last byte. */
        default void finReceived(HostTcpSocket s, long nowNs) {
        }

        /** CLOSED (normally, by a reset, a timeout...), or a passive open that fell back to LISTEN. */
        default void closed(HostTcpSocket s, CloseReason why, long nowNs) {
        }
    }

    private static final Events NO_EVENTS = new Events() {
    };

    private final HostStack stack;
    private final TcpConnection conn;
    private final long key;
    private Events events = NO_EVENTS;
    // send ring: stream bytes [sendAcked, sendEnd)
    private final MemorySegment sendRing;
    private final int sendCap;
    private long sendEnd;
    private long sendAcked;
    private boolean finQueued;
    // receive ring: stream bytes [recvRead, recvWritten)
    private final MemorySegment recvRing;
    private final int recvCap;
    private long recvWritten;
    private long recvRead;
    // events pending dispatch
    private boolean pendingReadable;
    private boolean pendingWritable;
    private boolean pendingFin;
    private boolean dispatching;
    private TcpState reported = TcpState.CLOSED;
    private boolean gone;

    HostTcpSocket(HostStack stack, TcpConfig cfg, int localIp, int localPort, int remoteIp, int remotePort, long key) {
        this.stack = stack;
        this.key = key;
        this.sendCap = cfg.sendBuffer();
        this.recvCap = cfg.receiveBuffer();
        this.sendRing = MemorySegment.ofArray(new byte[sendCap]);
        this.recvRing = MemorySegment.ofArray(new byte[recvCap]);
        this.conn = new TcpConnection(cfg, localIp, localPort, remoteIp, remotePort, this, this, this, null);
    }

    long key() {
        return key;
    }

    /** Where this socket's events go. */
    public HostTcpSocket events(Events e) {
        this.events = e == null ? NO_EVENTS : e;
        return this;
    }

    public TcpConnection connection() {
        return conn;
    }

    public TcpState state() {
        return conn.state();
    }

    public int localPort() {
        return conn.localPort();
    }

    public int remoteIp() {
        return conn.remoteIp();
    }

    public int remotePort() {
        return conn.remotePort();
    }

    // ---- the application's calls

    /** Bytes {@link #write} takes now. */
    public int sendSpace() {
        return finQueued ? 0 : (int) (sendCap - (sendEnd - sendAcked));
    }

    /** Copies up to {@code len} bytes into the send ring and sends what TCP allows; returns the bytes taken. */
    public int write(MemorySegment src, long off, int len, long nowNs) {
        int n = Math.min(len, sendSpace());
        if (n <= 0 || gone) {
            return 0;
        }
        int pos = (int) (sendEnd % sendCap);
        int first = Math.min(n, sendCap - pos);
        MemorySegment.copy(src, off, sendRing, pos, first);
        if (first < n) {
            MemorySegment.copy(src, off + first, sendRing, 0, n - first);
        }
        sendEnd += n;
        conn.send(nowNs);
        stack.afterTcp(this, nowNs);
        return n;
    }

    public int write(byte[] src, int off, int len, long nowNs) {
        return write(MemorySegment.ofArray(src), off, len, nowNs);
    }

    /** Bytes received and not yet read. */
    public int available() {
        return (int) (recvWritten - recvRead);
    }

    /** Copies up to {@code len} received bytes out; returns how many (0: none waiting). */
    public int read(MemorySegment dst, long off, int len, long nowNs) {
        int n = Math.min(len, available());
        if (n <= 0) {
            return 0;
        }
        int pos = (int) (recvRead % recvCap);
        int first = Math.min(n, recvCap - pos);
        MemorySegment.copy(recvRing, pos, dst, off, first);
        if (first < n) {
            MemorySegment.copy(recvRing, 0, dst, off + first, n - first);
        }
        recvRead += n;
        conn.receiveWindowOpened(nowNs);
        stack.afterTcp(this, nowNs);
        return n;
    }

    public int read(byte[] dst, int off, int len, long nowNs) {
        return read(MemorySegment.ofArray(dst), off, len, nowNs);
    }

    /** No more data from us: a FIN after what was written. */
    public void shutdownOutput(long nowNs) {
        finQueued = true;
        conn.shutdownOutput(nowNs);
        stack.afterTcp(this, nowNs);
    }

    public void close(long nowNs) {
        finQueued = true;
        conn.close(nowNs);
        stack.afterTcp(this, nowNs);
    }

    public void abort(long nowNs) {
        conn.abort(nowNs);
        stack.afterTcp(this, nowNs);
    }

    /** Stream bytes the peer acknowledged. */
    public long bytesAcked() {
        return sendAcked;
    }

    /** Stream bytes written by the application so far. */
    public long bytesWritten() {
        return sendEnd;
    }

    /** Stream bytes received so far (read or not). */
    public long bytesReceived() {
        return recvWritten;
    }

    // ---- SendStream

    @Override
    public long end() {
        return sendEnd;
    }

    @Override
    public void acknowledged(long upTo) {
        sendAcked = upTo;
        pendingWritable = true;
    }

    @Override
    public boolean finQueued() {
        return finQueued;
    }

    // ---- ReceiveStream

    @Override
    public void deliver(MemorySegment seg, long offset, int len) {
        int pos = (int) (recvWritten % recvCap);
        int first = Math.min(len, recvCap - pos);
        MemorySegment.copy(seg, offset, recvRing, pos, first);
        if (first < len) {
            MemorySegment.copy(seg, offset + first, recvRing, 0, len - first);
        }
        recvWritten += len;
        pendingReadable = true;
    }

    @Override
    public void finReceived() {
        pendingFin = true;
    }

    @Override
    public int space() {
        return recvCap - available();
    }

    // ---- TcpOutput

    @Override
    public void segment(TcpHeaderOut header, long payloadFrom, int payloadLen) {
        stack.tcpTransmit(header, sendRing, sendCap, payloadFrom, payloadLen);
    }

    // ---- events

    /** Tells the application what happened, after the connection's processing. */
    void dispatch(long nowNs) {
        if (dispatching) {
            return; // a handler's own call: the loop below picks it up
        }
        dispatching = true;
        try {
            for (int guard = 0; guard < 1000; guard++) {
                TcpState s = conn.state();
                if (s != reported) {
                    TcpState was = reported;
                    reported = s;
                    if (s.isSynchronized() && !was.isSynchronized()) {
                        events.established(this, nowNs);
                        continue;
                    }
                }
                if (pendingReadable) {
                    pendingReadable = false;
                    events.readable(this, nowNs);
                    continue;
                }
                if (pendingFin) {
                    pendingFin = false;
                    events.finReceived(this, nowNs);
                    continue;
                }
                if (pendingWritable) {
                    pendingWritable = false;
                    events.writable(this, nowNs);
                    continue;
                }
                boolean ended = s == TcpState.CLOSED || (s == TcpState.LISTEN && conn.remotePort() != 0);
                if (ended && !gone) {
                    gone = true;
                    stack.forget(this);
                    events.closed(this, conn.closeReason(), nowNs);
                    continue;
                }
                break;
            }
        } finally {
            dispatching = false;
        }
    }

    boolean gone() {
        return gone;
    }

    @Override
    public String toString() {
        return "host " + conn;
    }
}

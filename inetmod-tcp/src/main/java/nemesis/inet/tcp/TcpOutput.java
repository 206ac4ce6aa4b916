package nemesis.inet.tcp;

import nemesis.inet.wire.TcpHeaderOut;

/**
 * Where a {@link TcpConnection} sends segments: the Nemesis shell (headers into InetMod's header
 * buffer, the payload gathered zero-copy from the application's buffers) or {@code HostStack}.
 *
 * <p>The payload is the send stream's bytes {@code [payloadFrom, payloadFrom + payloadLen)} (stream
 * offsets: 0 is the first byte the application wrote, i.e. sequence number ISS+1). They are still
 * the application's: the core releases them only through {@link SendStream#acknowledged}. The sink
 * writes the header ({@link TcpHeaderOut#write}), computes the checksum
 * ({@link nemesis.inet.wire.TcpChecksum}) and sends. The header object is reused for the next
 * segment: read it during the call only. A sink must not call back into the connection.
 * A segment the sink cannot send (no buffer) is simply lost: TCP retransmits.
 *
 * <p>A sink with bounded room says so through {@link #ready}: while it is false the core sends no
 * data, SYN or FIN (as FreeBSD's {@code tcp_output} stops on {@code ENOBUFS} instead of losing the
 * segment), and its owner calls {@link TcpConnection#outputReady} when room comes back.
 */
@FunctionalInterface
public interface TcpOutput {
    void segment(TcpHeaderOut header, long payloadFrom, int payloadLen);

    /** Whether a segment handed over now would go (default: always). Must not call into the connection. */
    default boolean ready() {
        return true;
    }
}

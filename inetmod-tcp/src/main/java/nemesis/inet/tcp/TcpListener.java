package nemesis.inet.tcp;

/**
 * Told of every state transition of a connection, as it happens ({@link TcpConnection#setState}
 * is the only place the state changes). Must not call back into the connection.
 */
@FunctionalInterface
public interface TcpListener {
    TcpListener NONE = (c, from, to, nowNs) -> { };

    void stateChanged(TcpConnection connection, TcpState from, TcpState to, long nowNs);
}

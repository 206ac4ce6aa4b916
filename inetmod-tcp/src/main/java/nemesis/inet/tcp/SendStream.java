package nemesis.inet.tcp;

/**
 * The application's side of the send direction: bytes it has written and not yet seen
 * acknowledged. The core addresses them by stream offset and never copies them (the Nemesis rule:
 * a payload buffer goes back to the application only once its data is acknowledged).
 */
public interface SendStream {
    /** The stream offset just past the last byte queued: bytes {@code [0, end())} have been written. */
    long end();

    /** Bytes before {@code upTo} are acknowledged by the peer: release them. Called with increasing values. */
    void acknowledged(long upTo);

    /**
     * True once the application will write no more: a FIN follows byte {@code end()}. The core
     * also sends a FIN after {@link TcpConnection#shutdownOutput} or {@link TcpConnection#close};
     * either way {@code end()} must not grow afterwards.
     */
    boolean finQueued();
}

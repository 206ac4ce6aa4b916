package nemesis.inet.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The application's side of the receive direction. The core hands over in-order bytes, each
 * exactly once, never more than {@link #space()} allowed at the time.
 */
public interface ReceiveStream {
    /**
     * The next {@code len} in-order bytes, at {@code [offset, offset + len)} of {@code seg} (a
     * received packet, or the core's reassembly store). Valid during the call only: the callee
     * copies them or keeps the packet's buffer.
     */
    void deliver(MemorySegment seg, long offset, int len);

    /** The peer's FIN: no byte follows the last delivered. */
    void finReceived();

    /**
     * Bytes the application can take now. The core advertises at most this (and at most its
     * reassembly capacity); on Nemesis the shell computes it from the empty receive buffers at the
     * driver and the free slots of {@code to_app}.
     */
    int space();
}

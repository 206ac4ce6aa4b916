package nemesis.drivers;

import nemesis.atropos.Sdom;
import nemesis.kernel.DomainContext;
import nemesis.rbufs.AreaView;
import nemesis.rbufs.IoEndpoint;

/**
 * What the driver keeps for one client channel pair: the slave ends of its receive and transmit
 * channels, its transmit scheduling entry and filter, and its figures.
 */
public final class ClientBinding {
    final int id;
    final DomainContext client;
    final IoEndpoint rx;
    final IoEndpoint tx;
    final AreaView rxView;
    final AreaView txView;
    final TransmitFilter filter = new TransmitFilter();
    Sdom<ClientBinding> sdom;
    boolean closed;
    /** Slots of the client's return FIFO that frames in the card will need. */
    int outstandingSlots;
    /** Skipped because its return FIFO lacked room; woken when the client takes buffers back. */
    boolean suspended;

    // ---- figures: all, and in the measured window (after warmup)
    long framesSent;
    long bytesSent;
    long measuredFrames;
    long measuredBytes;
    long measuredGuaranteedNs;
    long measuredExtraNs;
    long framesReceived;
    long bytesReceived;
    long rxNoBuffer;
    long spoofed;

    ClientBinding(int id, DomainContext client, IoEndpoint rx, IoEndpoint tx) {
        this.id = id;
        this.client = client;
        this.rx = rx;
        this.tx = tx;
        this.rxView = rx.view();
        this.txView = tx.view();
    }

    public int id() {
        return id;
    }

    public DomainContext client() {
        return client;
    }

    public boolean closed() {
        return closed;
    }

    public long framesSent() {
        return framesSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long measuredFrames() {
        return measuredFrames;
    }

    public long measuredBytes() {
        return measuredBytes;
    }

    /** Wire time charged from the reservation in the measured window. */
    public long measuredGuaranteedNs() {
        return measuredGuaranteedNs;
    }

    /** Wire time charged as extra time in the measured window. */
    public long measuredExtraNs() {
        return measuredExtraNs;
    }

    public long framesReceived() {
        return framesReceived;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    /** Frames for this client dropped because it had primed no buffer. */
    public long rxNoBuffer() {
        return rxNoBuffer;
    }

    /** Frames refused by the transmit filter. */
    public long spoofed() {
        return spoofed;
    }

    @Override
    public String toString() {
        return "binding " + id + " of " + client.name();
    }

    /** The driver's state of this channel, in one line (for debugging a stalled channel). */
    public String diagnostics() {
        return client + " suspended " + suspended + " outstandingSlots " + outstandingSlots + " closed " + closed
                + " sdom " + sdom;
    }
}

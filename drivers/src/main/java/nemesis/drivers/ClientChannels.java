package nemesis.drivers;

import java.lang.foreign.MemorySegment;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.rbufs.AreaView;
import nemesis.rbufs.IoChannel;
import nemesis.rbufs.IoEndpoint;
import nemesis.rbufs.IoRecs;

/**
 * The client side of a {@link NetworkDriver} binding: a domain's own pair of I/O channels to the
 * driver, as their master: the receive
 * channel, primed with empty buffers the driver fills, and the transmit channel, whose buffers
 * the driver gives back once the card has sent them. Every domain that talks to the network —
 * clients, and the flow manager for ARP and its default channel — owns such a pair; the data
 * areas are its memory, granted to the driver.
 *
 * <p>Buffers are fixed-size slots of the areas, named by index. A receive buffer is two records,
 * {@value #RX_HEADER} bytes then {@value #RX_BODY} (as the release's flow manager primed them), so
 * a payload starts in its own record. A transmit buffer is {@value #TX_HEADER} bytes for the
 * headers InetMod writes, then {@value #TX_BODY} of payload.
 *
 * <p>The split layout ({@link #openSplit}) is for protocols whose payload outlives the frame that
 * carried it (TCP keeps data until it is acknowledged): the transmit area holds header buffers,
 * which come back when the card has sent them, and separately payload buffers, which the
 * protocol manages; a frame is a header buffer plus payload records ({@link #sendGather}).
 */
public final class ClientChannels {
    public static final int RX_HEADER = 128;
    public static final int RX_BODY = 1536;
    public static final int TX_HEADER = 128;
    public static final int TX_BODY = 1536;
    private static final int RX_BUF = RX_HEADER + RX_BODY;
    private static final int TX_BUF = TX_HEADER + TX_BODY;
    /** Receive FIFO: 128 slots (the release's size) hold 42 primed two-record buffers. */
    public static final int RX_SLOTS = 128;
    /**
     * Transmit FIFO: 128 slots (the release had 32). A client needs more buffers in flight than the
     * card has descriptors (a de4x5 has 31), or its queue runs dry while the card is busy, its
     * channel goes idle and QoSEntry's short-block rule throws the rest of its slice away; with
     * 32 slots at most 10 two-record packets can be in flight.
     */
    public static final int TX_SLOTS = 128;

    private final DomainContext self;
    private final IoChannel rx;
    private final IoChannel tx;
    private final AreaView rxView;
    private final AreaView txView;
    private final int rxBuffers;
    private final int txBuffers;
    /** Bytes per transmit buffer: header + body, or header only in the split layout. */
    private final int txStride;
    private final int payloadBuffers;
    private final int payloadBytes;
    private final int[] txFree;
    private int txFreeCount;
    /** Transmit buffers queued for the driver and not yet taken back ({@link #txOutstanding}). */
    private final boolean[] txOut;
    private final IoRecs rxRecs = new IoRecs(2);
    private final IoRecs txRecs = new IoRecs(NetworkDriver.MAX_TX_RECORDS);
    /** What {@link #reclaim} reads returned packets into: not {@link #txRecs}, which may hold a packet being put. */
    private final IoRecs returnedRecs = new IoRecs(NetworkDriver.MAX_TX_RECORDS);
    private long received;
    private long reclaimed;

    /**
     * @param rxBuffers receive buffers primed (at most {@code RX_SLOTS / 3})
     * @param txBuffers transmit buffers
     */
    private ClientChannels(DomainContext self, DomainContext driver, String name, int rxBuffers, int txBuffers,
                           int txStride, int payloadBuffers, int payloadBytes) {
        if (rxBuffers < 1 || rxBuffers * 3 > RX_SLOTS) {
            throw new IllegalArgumentException("between 1 and " + RX_SLOTS / 3 + " receive buffers: " + rxBuffers);
        }
        this.self = self;
        this.rxBuffers = rxBuffers;
        this.txBuffers = txBuffers;
        this.txStride = txStride;
        this.payloadBuffers = payloadBuffers;
        this.payloadBytes = payloadBytes;
        this.rx = IoChannel.open(name + ".rx", IoChannel.Mode.RX, self, driver, RX_SLOTS, (long) rxBuffers * RX_BUF);
        this.tx = IoChannel.open(name + ".tx", IoChannel.Mode.TX, self, driver, TX_SLOTS,
                (long) txBuffers * txStride + (long) payloadBuffers * payloadBytes);
        this.rxView = rx.master().view();
        this.txView = tx.master().view();
        this.txFree = new int[txBuffers];
        this.txOut = new boolean[txBuffers];
        for (int i = txBuffers - 1; i >= 0; i--) {
            txFree[txFreeCount++] = i;
        }
    }

    /**
     * Opens the channels (the caller is their master; {@code driver} the slave) and primes the
     * receive channel with every receive buffer.
     */
    public static ClientChannels open(DomainContext self, DomainContext driver, String name, int rxBuffers,
                                   int txBuffers) {
        ClientChannels c = new ClientChannels(self, driver, name, rxBuffers, txBuffers, TX_BUF, 0, 0);
        for (int i = 0; i < rxBuffers; i++) {
            c.prime(i);
        }
        return c;
    }

    /**
     * The split layout: {@code headerBuffers} buffers of {@value #TX_HEADER} bytes, allocated with
     * {@link #allocate} and sent with {@link #sendGather}, and {@code payloadBuffers} of
     * {@code payloadBytes} at {@link #payloadOffset} that the caller manages.
     */
    public static ClientChannels openSplit(DomainContext self, DomainContext driver, String name, int rxBuffers,
                                        int headerBuffers, int payloadBuffers, int payloadBytes) {
        ClientChannels c = new ClientChannels(self, driver, name, rxBuffers, headerBuffers, TX_HEADER,
                payloadBuffers, payloadBytes);
        for (int i = 0; i < rxBuffers; i++) {
            c.prime(i);
        }
        return c;
    }

    /** The channels, for the flow manager to register with the driver. */
    public IoChannel rxChannel() {
        return rx;
    }

    public IoChannel txChannel() {
        return tx;
    }

    // ------------------------------------------------------------------------------------------
    // Receive
    // ------------------------------------------------------------------------------------------

    private void prime(int buffer) {
        long base = rxView.base() + (long) buffer * RX_BUF;
        rxRecs.clear().add(base, RX_HEADER).add(base + RX_HEADER, RX_BODY).value(0);
        rx.master().putPkt(rxRecs, Kernel.NEVER);
    }

    /**
     * Waits until {@code untilNs} for a received frame; when one came, {@code into} describes it.
     * Hand the buffer back with {@link #recycle} when done with it.
     */
    public boolean receive(RxFrame into, long untilNs) {
        IoEndpoint ep = rx.master();
        while (ep.getPkt(rxRecs, untilNs)) {
            int buffer = (int) ((rxRecs.base(0) - rxView.base()) / RX_BUF);
            int length = (int) rxRecs.value();
            if (length <= 0) {
                prime(buffer); // the driver could not use it (a frame too big for it): prime it again
                continue;
            }
            into.set(rxView.segment(), (long) buffer * RX_BUF, length, buffer);
            received++;
            return true;
        }
        return false;
    }

    /** Gives a receive buffer back to the driver (primes it again). */
    public void recycle(RxFrame f) {
        prime(f.buffer);
    }

    /** Gives receive buffer {@code buffer} (an {@link RxFrame#buffer()}) back to the driver. */
    public void recycle(int buffer) {
        if (buffer < 0 || buffer >= rxBuffers) {
            throw new IndexOutOfBoundsException("receive buffer " + buffer + " of " + rxBuffers);
        }
        prime(buffer);
    }

    /** The receive area as this domain sees it (read-only: the driver writes it). */
    public MemorySegment rxMemory() {
        return rxView.segment();
    }

    /** The event count that moves when the driver puts a received frame: to wait on several sources. */
    public nemesis.kernel.EventCount arrivals() {
        return rx.master().arrivals();
    }

    // ------------------------------------------------------------------------------------------
    // Transmit
    // ------------------------------------------------------------------------------------------

    /**
     * A free transmit buffer, reclaiming any the driver has given back; waits until
     * {@code untilNs} for one. Returns the buffer index, or -1 on timeout.
     */
    public int allocate(long untilNs) {
        reclaim(0);
        if (txFreeCount == 0 && !reclaim(untilNs)) {
            return -1;
        }
        return txFree[--txFreeCount];
    }

    /**
     * Takes back what the driver has returned without blocking ({@code untilNs} 0), or waits until
     * {@code untilNs} for at least one buffer. True if any came back.
     */
    public boolean reclaim(long untilNs) {
        IoEndpoint ep = tx.master();
        boolean any = false;
        long until = untilNs;
        while (ep.getPkt(returnedRecs, until)) {
            tookBack();
            any = true;
            until = 0;
        }
        return any;
    }

    /**
     * As {@code reclaim(0)}, but looks whether the driver returned anything before each get (which
     * costs nothing) instead of ending with a get that finds nothing (which costs a get): for a
     * caller that checks in passing, so that taking buffers back early costs no more than later.
     */
    public boolean reclaimReturned() {
        IoEndpoint ep = tx.master();
        boolean any = false;
        while (ep.queryGet(0) > 0 && ep.getPkt(returnedRecs, 0)) {
            tookBack();
            any = true;
        }
        return any;
    }

    private void tookBack() {
        int b = (int) ((returnedRecs.base(0) - txView.base()) / txStride);
        txOut[b] = false;
        txFree[txFreeCount++] = b;
        reclaimed++;
    }

    /** The memory of transmit buffer {@code buffer}: headers at {@link #txHeaderOffset}, payload at {@link #txBodyOffset}. */
    public MemorySegment txMemory() {
        return txView.segment();
    }

    public long txHeaderOffset(int buffer) {
        return (long) buffer * txStride;
    }

    public long txBodyOffset(int buffer) {
        requireLayout(false);
        return (long) buffer * TX_BUF + TX_HEADER;
    }

    /** Split layout: the offset in {@link #txMemory()} of payload buffer {@code p}. */
    public long payloadOffset(int p) {
        requireLayout(true);
        if (p < 0 || p >= payloadBuffers) {
            throw new IndexOutOfBoundsException("payload buffer " + p + " of " + payloadBuffers);
        }
        return (long) txBuffers * txStride + (long) p * payloadBytes;
    }

    /** The address (for an iorec) of byte {@code offset} of the transmit area. */
    public long txAddress(long offset) {
        return txView.base() + offset;
    }

    public int payloadBuffers() {
        return payloadBuffers;
    }

    public int payloadBytes() {
        return payloadBytes;
    }

    private void requireLayout(boolean split) {
        if ((payloadBuffers > 0) != split) {
            throw new IllegalStateException(split ? "payload buffers exist only in the split layout"
                    : "header+body buffers exist only in the plain layout");
        }
    }

    /**
     * Queues buffer {@code buffer} for transmission: {@code headerLen} bytes of headers and
     * {@code bodyLen} of payload (0: the frame is all header). Waits for FIFO room until
     * {@code untilNs}; false (the buffer stays ours) on timeout.
     */
    public boolean send(int buffer, int headerLen, int bodyLen, long untilNs) {
        requireLayout(false);
        long base = txView.base() + (long) buffer * TX_BUF;
        txRecs.clear().add(base, headerLen);
        if (bodyLen > 0) {
            txRecs.add(base + TX_HEADER, bodyLen);
        }
        txRecs.value(buffer);
        return put(buffer, untilNs);
    }

    /**
     * Split layout: queues header buffer {@code header} ({@code headerLen} bytes) followed by the
     * payload records in {@code payload} (addresses in the transmit area). The driver gives the
     * header buffer back when the card has sent the frame; the payload stays the caller's.
     */
    public boolean sendGather(int header, int headerLen, IoRecs payload, long untilNs) {
        requireLayout(true);
        txRecs.clear().add(txView.base() + (long) header * TX_HEADER, headerLen);
        for (int i = 0; i < payload.count(); i++) {
            txRecs.add(payload.base(i), payload.len(i));
        }
        txRecs.value(header);
        return put(header, untilNs);
    }

    /**
     * Whether transmit buffer {@code buffer} was queued for the driver and not yet taken back (as
     * of the last {@link #reclaim}): until then the driver may still read it, and so, in the split
     * layout, the payload records queued with it (it gathers a frame when its turn to go comes).
     */
    public boolean txOutstanding(int buffer) {
        return txOut[buffer];
    }

    private boolean put(int buffer, long untilNs) {
        IoEndpoint ep = tx.master();
        // While waiting for room, take back what the driver returned: it keeps frames from the
        // card only while our return FIFO can hold them, so not reclaiming could wedge us both.
        while (true) {
            if (ep.putPkt(txRecs, 0)) {
                txOut[buffer] = true;
                return true;
            }
            if (reclaim(0)) {
                continue; // buffers came back: the driver may have taken more too
            }
            if (self.nowNs() >= untilNs) {
                return false;
            }
            self.block(untilNs); // the driver's acknowledgement (room) or a returned buffer
        }
    }

    /** Returns an allocated buffer that was not sent. */
    public void free(int buffer) {
        txFree[txFreeCount++] = buffer;
    }

    public int freeTxBuffers() {
        return txFreeCount;
    }

    public int txBuffers() {
        return txBuffers;
    }

    public int rxBuffers() {
        return rxBuffers;
    }

    public long received() {
        return received;
    }

    public DomainContext domain() {
        return self;
    }

    /** A received frame: where it lies in the receive area (two records, contiguous in memory). */
    public static final class RxFrame {
        private MemorySegment memory;
        private long offset;
        private int length;
        private int buffer;

        void set(MemorySegment memory, long offset, int length, int buffer) {
            this.memory = memory;
            this.offset = offset;
            this.length = length;
            this.buffer = buffer;
        }

        /** The receive area (read-only for its owner). */
        public MemorySegment memory() {
            return memory;
        }

        /** Offset of the frame's first byte in {@link #memory()}. */
        public long offset() {
            return offset;
        }

        /** Frame length in bytes (Ethernet header included, no CRC). */
        public int length() {
            return length;
        }

        /** Which receive buffer holds the frame (to keep it past {@link #recycle} time, or recycle it later). */
        public int buffer() {
            return buffer;
        }
    }
}

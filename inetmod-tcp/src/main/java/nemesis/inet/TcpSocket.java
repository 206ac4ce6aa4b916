package nemesis.inet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientChannels;
import nemesis.inet.tcp.CloseReason;
import nemesis.inet.tcp.ReceiveStream;
import nemesis.inet.tcp.SendStream;
import nemesis.inet.tcp.TcpConfig;
import nemesis.inet.tcp.TcpConnection;
import nemesis.inet.tcp.TcpOutput;
import nemesis.inet.tcp.TcpState;
import nemesis.inet.wire.TcpChecksum;
import nemesis.inet.wire.TcpHeader;
import nemesis.inet.wire.TcpHeaderOut;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.EventQueue;
import nemesis.kernel.Kernel;
import nemesis.rbufs.IoRecs;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/**
 * A TCP connection in a Nemesis domain, built as the paper's InetMod (§3): the protocol runs in
 * the application's own domain, on its own CPU time, over its own I/O channels, in three threads.
 *
 * <ul>
 *   <li>The <b>receiver thread</b> takes frames from the receive channel, runs {@code tcp_input},
 *       and queues in-order data for the application in {@code to_app}: pointers into the receive
 *       buffers the frames arrived in, not copies. It primes the driver with receive buffers again
 *       when the application gives them back through an intra-domain channel.</li>
 *   <li>The <b>timer thread</b> runs the delayed-ACK, retransmission, persist, keepalive,
 *       FIN-WAIT-2 and TIME-WAIT timers, and releases the connection's flow when it is closed.</li>
 *   <li>The <b>application's own thread</b> runs {@code tcp_output} (and the IP and link output)
 *       when it writes, and takes data from {@code to_app} when it reads, blocking if asked to.</li>
 * </ul>
 *
 * <p>Buffers follow the paper. The application's data goes into payload buffers of the
 * transmit area ({@link #write} copies into them; {@link #allocatePayload} and
 * {@link #sendPayload} let the application fill them itself); InetMod writes the headers into
 * header buffers of its own; a payload buffer goes back only once its data is acknowledged and no
 * frame queued at the driver reads it any more (a retransmission may still wait there when an
 * earlier copy is acknowledged: the driver gathers a frame's payload only when the frame goes),
 * while header buffers are reclaimed from the driver when it can give them without blocking. The window
 * advertised is computed from the receive buffers primed at the driver and the free slots of
 * {@code to_app}.
 *
 * <p>The core ({@link TcpConnection}) never blocks and the threads of a domain are not preempted by
 * one another, so each call into it runs whole; no lock is needed around it.
 */
public final class TcpSocket {
    /** Receive buffers primed at the driver per connection. */
    public static final int RX_BUFFERS = 16;
    /** The {@code to_app} slots the advertised window counts. */
    public static final int TO_APP_WINDOW_SLOTS = 32;
    /**
     * Slots {@code to_app} really has: room for every piece the core can hand over within the
     * window. A frame gives at most one piece (and holds its receive buffer: at most
     * {@link #RX_BUFFERS} such pieces); pieces from the reassembly store are copied into the spill
     * area, and a piece that follows another there is merged into its slot.
     */
    private static final int TO_APP_SLOTS = 64;
    /** Header buffers (all fit the channel's return FIFO with a payload record each: 3 slots). */
    public static final int HEADER_BUFFERS = ClientChannels.TX_SLOTS / 3;
    /** Data the core hands over from its reassembly store is copied here (it is not in a frame). */
    private static final int SPILL_BYTES = 64 * 1024;

    private final InetMod inet;
    private final DomainContext ctx;
    private final ClientChannels ch;
    private final int flow;
    private final InetCosts costs;
    private final TcpConnection tcp;
    private final long dstMac;
    private final String name;
    private final int mss;

    // ---- send side: payload buffers in stream order (a ring), and the free ones
    private final int payloadBytes;
    private final int[] freePayload;
    private int freePayloadCount;
    private final int[] ringBuf;
    private final long[] ringStart;
    private final int[] ringLen;
    private final boolean[] ringMine;
    private int ringHead;
    private int ringCount;
    private long streamEnd;
    private boolean finQueued;
    /** Advances when payload buffers come free (their data was acknowledged). */
    private final EventCount sendSpace;
    /** Zero-copy buffers the application filled, acknowledged, waiting to be reclaimed. */
    private final int[] reclaimable;
    private int reclaimableCount;
    /**
     * Per header buffer: the payload buffers its frame's records point into. The driver gathers a
     * frame only when its turn to go comes, so a payload buffer whose data is acknowledged (an
     * earlier copy got there) may still be read for a retransmission queued behind; it goes back
     * only once every frame pointing into it has been given back.
     */
    private final int[][] framePayloads;
    private final int[] framePayloadCount;
    /** Acknowledged payload buffers still pointed into by a queued frame: 1 to free, 2 to reclaim (zero-copy). */
    private final byte[] payloadHeld;
    private int payloadsHeld;
    /** tcp_output found no free header buffer: the receiver thread resumes it when the driver returns some. */
    private boolean outputBlocked;
    private final EventCount txReturned;
    private EventQueue receiverWake;
    private boolean watchingReturns;

    // ---- receive side: to_app, receive-buffer references, the spill area, returned buffers
    private final int[] appBuf;
    private final long[] appOff;
    private final int[] appLen;
    private int appHead;
    private int appCount;
    private final int[] rxRefs;
    private int currentRxBuffer = -1;
    private long currentFrameOff;
    private int currentFrameLen;
    private final MemorySegment spill = Arena.ofAuto().allocate(SPILL_BYTES);
    /** Bytes of the spill ring ever allocated and released: it is a FIFO, as to_app is. */
    private long spillAllocated;
    private long spillReleased;
    /** For a spill slot of to_app: where its bytes end, counted as spillAllocated counts. */
    private final long[] appSpillEnd;
    private final EventCount toApp;
    private final int[] returned;
    private int returnedHead;
    private int returnedCount;
    private final EventCount returnedEc;
    private boolean finReceived;

    // ---- the threads
    private final EventCount timerKick;
    private long timerArmedNs = Kernel.NEVER;
    private final EventCount stateEc;
    private boolean flowReleased;

    // ---- output, reused per segment
    private final IoRecs pieces = new IoRecs(MAX_PIECES);
    /** Payload records a segment's frame can have (pieces of payload buffers). */
    private static final int MAX_PIECES = 8;
    /** The header buffer {@link #gather} fills the records of. */
    private int currentHeader;
    private final TcpChecksum checksum = new TcpChecksum();
    private int ipId;
    private final ClientChannels.RxFrame frame = new ClientChannels.RxFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpHeader seg = new TcpHeader();

    // ---- figures
    private long segmentsOutLost;
    private long framesDropped;
    private long bytesWritten;
    private long bytesRead;

    TcpSocket(InetMod inet, ClientChannels ch, int flow, TcpConfig config, int localPort, int remoteIp,
              int remotePort, long dstMac, String name) {
        this.inet = inet;
        this.ctx = inet.domain();
        this.ch = ch;
        this.flow = flow;
        this.costs = inet.costs();
        this.dstMac = dstMac;
        this.name = name;
        this.mss = config.mss();
        this.payloadBytes = ch.payloadBytes();
        int payloads = ch.payloadBuffers();
        this.freePayload = new int[payloads];
        for (int i = payloads - 1; i >= 0; i--) {
            freePayload[freePayloadCount++] = i;
        }
        this.ringBuf = new int[payloads];
        this.ringStart = new long[payloads];
        this.ringLen = new int[payloads];
        this.ringMine = new boolean[payloads];
        this.reclaimable = new int[payloads];
        this.framePayloads = new int[ch.txBuffers()][8];
        this.framePayloadCount = new int[ch.txBuffers()];
        this.payloadHeld = new byte[payloads];
        this.txReturned = ch.txChannel().master().arrivals();
        this.appBuf = new int[TO_APP_SLOTS];
        this.appOff = new long[TO_APP_SLOTS];
        this.appLen = new int[TO_APP_SLOTS];
        this.appSpillEnd = new long[TO_APP_SLOTS];
        this.rxRefs = new int[ch.rxBuffers()];
        this.returned = new int[ch.rxBuffers()];
        this.sendSpace = ctx.newEventCount(name + ".send-space");
        this.toApp = ctx.newEventCount(name + ".to_app");
        this.returnedEc = ctx.newEventCount(name + ".returned");
        this.timerKick = ctx.newEventCount(name + ".timer");
        this.stateEc = ctx.newEventCount(name + ".state");
        TcpOutput sink = new TcpOutput() {
            @Override
            public void segment(TcpHeaderOut header, long payloadFrom, int payloadLen) {
                output(header, payloadFrom, payloadLen);
            }

            @Override
            public boolean ready() {
                return outputRoom();
            }
        };
        this.tcp = new TcpConnection(config, inet.config().ip(), localPort, remoteIp, remotePort, sink,
                sendStream, receiveStream, (c, from, to, now) -> stateEc.advance(1));
    }

    /** Starts the receiver and timer threads. */
    void start() {
        ctx.spawn(name + ".receiver", this::receiverLoop);
        ctx.spawn(name + ".timer", this::timerLoop);
    }

    /** Active open; waits until the connection is established or fails (then throws). */
    void connect(long untilNs) {
        tcp.connect(ctx.nowNs());
        kickTimer();
        awaitState(untilNs);
        if (tcp.state() != TcpState.ESTABLISHED && tcp.state() != TcpState.CLOSE_WAIT) {
            TcpState s = tcp.state();
            close();
            throw new ConnectionFailedException("connection to " + nemesis.wire.Ipv4Address.toString(tcp.remoteIp())
                    + ":" + tcp.remotePort() + " failed: " + (s == TcpState.CLOSED ? tcp.closeReason() : "timed out in " + s));
        }
    }

    /** Passive open: the connection answers the SYN it was made for. */
    void accepted(TcpHeader syn) {
        tcp.listen(ctx.nowNs());
        tcp.input(syn, ctx.nowNs());
        kickTimer();
    }

    private void awaitState(long untilNs) {
        while (tcp.state() == TcpState.SYN_SENT || tcp.state() == TcpState.SYN_RECEIVED) {
            if (!stateEc.await(stateEc.read() + 1, untilNs)) {
                return;
            }
        }
    }

    // ==========================================================================================
    // The application's calls
    // ==========================================================================================

    /**
     * Writes {@code len} bytes (copied into payload buffers), waiting until {@code untilNs} for
     * buffers if the data in flight fills them all. Returns how many were taken (fewer on timeout).
     *
     * @throws ConnectionClosedException if the connection can no longer send
     */
    public int write(byte[] src, int off, int len, long untilNs) {
        return write(MemorySegment.ofArray(src), off, len, untilNs);
    }

    public int write(MemorySegment src, long off, int len, long untilNs) {
        requireCanSend();
        int done = 0;
        while (done < len) {
            int room = lastBufferRoom();
            if (room == 0) {
                if (freePayloadCount == 0) {
                    tcp.send(ctx.nowNs());
                    kickTimer();
                    if (!waitForPayload(untilNs)) {
                        break;
                    }
                    requireCanSend();
                    continue;
                }
                appendBuffer(freePayload[--freePayloadCount], 0, false);
                room = payloadBytes;
            }
            int n = Math.min(room, len - done);
            int last = ringIndex(ringCount - 1);
            long at = ch.payloadOffset(ringBuf[last]) + ringLen[last];
            ctx.consume(costs.copyNs(n));
            MemorySegment.copy(src, off + done, ch.txMemory(), at, n);
            ringLen[last] += n;
            streamEnd += n;
            done += n;
            if (ringLen[last] == payloadBytes) {
                tcp.send(ctx.nowNs()); // a full buffer: let it go now (Nagle decides the rest)
            }
        }
        bytesWritten += done;
        tcp.send(ctx.nowNs());
        kickTimer();
        return done;
    }

    /** Writes all of {@code len}, waiting as long as needed. */
    public void writeFully(byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            done += write(src, off + done, len - done, Kernel.NEVER);
        }
    }

    /**
     * Zero-copy: a payload buffer of {@link #payloadBytes()} for the application to fill, waiting
     * until {@code untilNs} for one (null on timeout). Hand it back with {@link #sendPayload}; once its
     * data is acknowledged it can be taken back with {@link #reclaimPayload}.
     */
    public PayloadBuffer allocatePayload(long untilNs) {
        requireCanSend();
        while (freePayloadCount == 0) {
            if (!waitForPayload(untilNs)) {
                return null;
            }
        }
        int b = freePayload[--freePayloadCount];
        return new PayloadBuffer(b, ch.txMemory().asSlice(ch.payloadOffset(b), payloadBytes));
    }

    /** Zero-copy: queues the first {@code len} bytes of {@code buffer} for sending, as they are. */
    public void sendPayload(PayloadBuffer buffer, int len) {
        requireCanSend();
        if (len < 0 || len > payloadBytes) {
            throw new IllegalArgumentException("length " + len + " not in [0, " + payloadBytes + "]");
        }
        appendBuffer(buffer.index(), len, true);
        streamEnd += len;
        bytesWritten += len;
        tcp.send(ctx.nowNs());
        kickTimer();
    }

    /**
     * Zero-copy: a buffer given with {@link #sendPayload} whose data the peer has acknowledged,
     * waiting until {@code untilNs} (null on timeout).
     */
    public PayloadBuffer reclaimPayload(long untilNs) {
        while (reclaimableCount == 0) {
            if (!sendSpace.await(sendSpace.read() + 1, untilNs)) {
                return null;
            }
        }
        int b = reclaimable[--reclaimableCount];
        return new PayloadBuffer(b, ch.txMemory().asSlice(ch.payloadOffset(b), payloadBytes));
    }

    /** Gives back a payload buffer the application will not send. */
    public void freePayload(PayloadBuffer buffer) {
        freePayload[freePayloadCount++] = buffer.index();
        sendSpace.advance(1);
    }

    /**
     * Reads up to {@code len} bytes, waiting until {@code untilNs} for some. Returns how many,
     * 0 on timeout, -1 at the end of the stream (the peer's FIN, everything before it read).
     *
     * @throws ConnectionClosedException if the connection was reset or aborted
     */
    public int read(byte[] dst, int off, int len, long untilNs) {
        return read(MemorySegment.ofArray(dst), off, len, untilNs);
    }

    public int read(MemorySegment dst, long off, int len, long untilNs) {
        while (appCount == 0) {
            if (finReceived) {
                return -1;
            }
            if (tcp.state() == TcpState.CLOSED) {
                if (tcp.closeReason() == CloseReason.NORMAL) {
                    return -1;
                }
                throw new ConnectionClosedException(name + ": " + tcp.closeReason());
            }
            if (!toApp.await(toApp.read() + 1, untilNs)) {
                return 0;
            }
        }
        int done = 0;
        while (done < len && appCount > 0) {
            int i = appHead;
            int n = Math.min(len - done, appLen[i]);
            MemorySegment from = appBuf[i] >= 0 ? ch.rxMemory() : spill;
            ctx.consume(costs.copyNs(n));
            MemorySegment.copy(from, appOff[i], dst, off + done, n);
            appOff[i] += n;
            appLen[i] -= n;
            done += n;
            if (appLen[i] == 0) {
                finishAppSlot(i);
            }
        }
        bytesRead += done;
        tcp.receiveWindowOpened(ctx.nowNs());
        kickTimer();
        return done;
    }

    /** Half-close: no more writes; a FIN follows the data written. Reading goes on. */
    public void shutdownOutput() {
        if (!finQueued) {
            finQueued = true;
            tcp.shutdownOutput(ctx.nowNs());
            kickTimer();
        }
    }

    /** Closes: the data written still goes, then a FIN; the connection ends in the background. */
    public void close() {
        finQueued = true;
        tcp.close(ctx.nowNs());
        kickTimer();
    }

    /** Aborts: a reset, everything queued is dropped. */
    public void abort() {
        finQueued = true;
        tcp.abort(ctx.nowNs());
        kickTimer();
    }

    /** Waits until the connection is closed (after TIME-WAIT, or a reset) or {@code untilNs}. */
    public boolean awaitClosed(long untilNs) {
        while (tcp.state() != TcpState.CLOSED) {
            if (!stateEc.await(stateEc.read() + 1, untilNs)) {
                return false;
            }
        }
        return true;
    }

    /** Changes the connection's transmit reservation (admission-checked by the driver). */
    public void setTxQos(Qos qos) throws AdmissionException {
        inet.flowManager().setTxQos(flow, qos);
    }

    public TcpConnection connection() {
        return tcp;
    }

    public TcpState state() {
        return tcp.state();
    }

    public int payloadBytes() {
        return payloadBytes;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** Segments the output could not hand to the driver (no header buffer or FIFO room): TCP resent them. */
    public long segmentsOutLost() {
        return segmentsOutLost;
    }

    /** Frames that arrived for this connection but were not a valid TCP segment for it. */
    public long framesDropped() {
        return framesDropped;
    }

    /** A payload buffer of the zero-copy interface: {@link #memory()} is the application's to fill. */
    public record PayloadBuffer(int index, MemorySegment memory) {
    }

    private void requireCanSend() {
        if (finQueued) {
            throw new ConnectionClosedException(name + ": shut down for sending");
        }
        if (tcp.state() == TcpState.CLOSED) {
            throw new ConnectionClosedException(name + ": " + tcp.closeReason());
        }
    }

    private boolean waitForPayload(long untilNs) {
        while (freePayloadCount == 0) {
            if (tcp.state() == TcpState.CLOSED) {
                throw new ConnectionClosedException(name + ": " + tcp.closeReason());
            }
            if (!sendSpace.await(sendSpace.read() + 1, untilNs)) {
                return false;
            }
        }
        return true;
    }

    // ==========================================================================================
    // The send stream: payload buffers in stream order
    // ==========================================================================================

    private int ringIndex(int k) {
        return (ringHead + k) % ringBuf.length;
    }

    private int lastBufferRoom() {
        if (ringCount == 0) {
            return 0;
        }
        int last = ringIndex(ringCount - 1);
        return ringMine[last] ? 0 : payloadBytes - ringLen[last];
    }

    private void appendBuffer(int buffer, int len, boolean applicationOwned) {
        int at = ringIndex(ringCount);
        ringBuf[at] = buffer;
        ringStart[at] = streamEnd;
        ringLen[at] = len;
        ringMine[at] = applicationOwned;
        ringCount++;
    }

    private final SendStream sendStream = new SendStream() {
        @Override
        public long end() {
            return streamEnd;
        }

        @Override
        public void acknowledged(long upTo) {
            boolean freed = false;
            while (ringCount > 0) {
                int i = ringHead;
                boolean sealed = ringMine[i] || ringLen[i] == payloadBytes || ringCount > 1 || finQueued;
                if (ringStart[i] + ringLen[i] > upTo || !sealed) {
                    break;
                }
                // Usually the frames that read it were given back already; take them back first.
                if (queuedFrameReads(ringBuf[i]) && (!ch.reclaimReturned() || queuedFrameReads(ringBuf[i]))) {
                    holdPayload(ringBuf[i], ringMine[i]);
                } else {
                    givePayloadBack(ringBuf[i], ringMine[i]);
                    freed = true;
                }
                ringHead = (ringHead + 1) % ringBuf.length;
                ringCount--;
            }
            if (payloadsHeld > 0 && releaseHeldPayloads()) {
                freed = true;
            }
            if (freed) {
                sendSpace.advance(1);
            }
        }

        @Override
        public boolean finQueued() {
            return finQueued;
        }
    };

    private void givePayloadBack(int buffer, boolean applicationOwned) {
        if (applicationOwned) {
            reclaimable[reclaimableCount++] = buffer;
        } else {
            freePayload[freePayloadCount++] = buffer;
        }
    }

    /** Whether a frame the driver has not given back yet has records in payload buffer {@code buffer}. */
    private boolean queuedFrameReads(int buffer) {
        for (int h = 0; h < framePayloadCount.length; h++) {
            if (framePayloadCount[h] == 0) {
                continue;
            }
            if (!ch.txOutstanding(h)) {
                framePayloadCount[h] = 0; // given back: it reads nothing any more
                continue;
            }
            for (int k = 0; k < framePayloadCount[h]; k++) {
                if (framePayloads[h][k] == buffer) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An acknowledged payload buffer waits for the frames still reading it; the receiver thread watches their return. */
    private void holdPayload(int buffer, boolean applicationOwned) {
        payloadHeld[buffer] = (byte) (applicationOwned ? 2 : 1);
        payloadsHeld++;
        watchReturns();
    }

    /** The receiver thread wakes for buffers the driver returns while it waits for any. */
    private void watchReturns() {
        boolean want = payloadsHeld > 0 || outputBlocked;
        if (receiverWake != null && want != watchingReturns) {
            if (want) {
                receiverWake.attach(txReturned);
            } else {
                receiverWake.detach(txReturned);
            }
            watchingReturns = want;
        }
    }

    /**
     * Whether a segment could go now: a header buffer is free, or the driver has returned one.
     * If not, tcp_output holds its data (it is not lost) and the receiver thread resumes it.
     */
    private boolean outputRoom() {
        if (roomNow()) {
            return true;
        }
        outputBlocked = true;
        watchReturns();
        return false;
    }

    /**
     * A free header buffer (taking back what the driver returned if need be) and room in the
     * transmit FIFO for the largest packet a segment makes: a segment put when either is missing
     * would be lost before the wire, unknown to TCP, and cost it a retransmission timeout.
     */
    private boolean roomNow() {
        boolean header = ch.freeTxBuffers() > 0 || ch.reclaimReturned() && ch.freeTxBuffers() > 0;
        return header && ch.txChannel().master().queryPut() >= MAX_SEGMENT_SLOTS;
    }

    /** FIFO slots of the largest packet a segment makes: the header record, the most payload pieces, one more. */
    private static final int MAX_SEGMENT_SLOTS = 1 + MAX_PIECES + 1;

    /** Gives back the held payload buffers no queued frame reads any more; true if any. */
    private boolean releaseHeldPayloads() {
        boolean any = false;
        for (int b = 0; b < payloadHeld.length && payloadsHeld > 0; b++) {
            if (payloadHeld[b] != 0 && !queuedFrameReads(b)) {
                givePayloadBack(b, payloadHeld[b] == 2);
                payloadHeld[b] = 0;
                payloadsHeld--;
                any = true;
            }
        }
        watchReturns();
        return any;
    }

    // ==========================================================================================
    // Output: tcp_output's segments become frames, zero-copy
    // ==========================================================================================

    private void output(TcpHeaderOut h, long from, int len) {
        ctx.consume(costs.tcpOutputNs + costs.ipOutputNs);
        int hb = ch.allocate(0);
        if (hb < 0) {
            segmentsOutLost++;
            return;
        }
        framePayloadCount[hb] = 0; // free again: its last frame was given back
        MemorySegment m = ch.txMemory();
        long base = ch.txHeaderOffset(hb);
        long t = base + EthernetFrame.HEADER_LEN + Headers.IPV4;
        int tcpHdr = h.write(m, t);
        Headers.ethernet(m, base, dstMac, inet.config().mac(), EthernetFrame.ETHERTYPE_IPV4);
        Headers.ipv4(m, base + EthernetFrame.HEADER_LEN, h.srcIp, h.dstIp, Ipv4Packet.PROTO_TCP, tcpHdr + len, ipId++,
                64, Ipv4Packet.FLAG_DF);
        pieces.clear();
        checksum.begin(h.srcIp, h.dstIp, tcpHdr + len).add(m, t, tcpHdr);
        currentHeader = hb;
        if (len > 0 && !gather(from, len)) {
            ch.free(hb);
            framePayloadCount[hb] = 0;
            segmentsOutLost++;
            return;
        }
        ctx.consume(costs.checksumNs(tcpHdr + len));
        nemesis.wire.BigEndian.u16(m, t + TcpHeader.CHECKSUM_OFFSET, checksum.finish());
        if (!ch.sendGather(hb, EthernetFrame.HEADER_LEN + Headers.IPV4 + tcpHdr, pieces, 0)) {
            ch.free(hb);
            framePayloadCount[hb] = 0;
            segmentsOutLost++;
        }
    }

    /** The payload records for stream bytes [from, from+len): pieces of the payload buffers holding them. */
    private boolean gather(long from, int len) {
        MemorySegment m = ch.txMemory();
        long pos = from;
        long end = from + len;
        for (int k = 0; k < ringCount && pos < end; k++) {
            int i = ringIndex(k);
            long s = ringStart[i];
            long e = s + ringLen[i];
            if (e <= pos || ringLen[i] == 0) {
                continue;
            }
            if (s > pos || pieces.count() == pieces.capacity()) {
                return false; // not queued (cannot happen: the core sends what end() allows)
            }
            int n = (int) (Math.min(e, end) - pos);
            long off = ch.payloadOffset(ringBuf[i]) + (pos - s);
            pieces.add(ch.txAddress(off), n);
            framePayloads[currentHeader][framePayloadCount[currentHeader]++] = ringBuf[i];
            checksum.add(m, off, n);
            pos += n;
        }
        return pos == end;
    }

    // ==========================================================================================
    // The receiver thread and to_app
    // ==========================================================================================

    private void receiverLoop() {
        EventQueue wake = ctx.newEventQueue(name + ".receiver");
        wake.attach(ch.arrivals());
        wake.attach(returnedEc);
        receiverWake = wake;
        watchReturns();
        while (!flowReleased) {
            if (outputBlocked && roomNow()) {
                outputBlocked = false;
                watchReturns();
                tcp.outputReady(ctx.nowNs());
            }
            if (payloadsHeld > 0) {
                // Frames were reading acknowledged payload buffers: take back what the driver
                // returned, and the buffers no frame reads any more.
                ch.reclaimReturned();
                if (releaseHeldPayloads()) {
                    sendSpace.advance(1);
                }
            }
            if (returnedCount > 0) {
                while (returnedCount > 0) {
                    ch.recycle(returned[returnedHead]);
                    returnedHead = (returnedHead + 1) % returned.length;
                    returnedCount--;
                }
                // The window opens only now, with the buffers primed again: the ACK that waited
                // for the reader (or a window update) goes now, not at the next fast tick.
                tcp.receiveWindowOpened(ctx.nowNs());
            }
            if (ch.receive(frame, 0)) {
                input(frame);
                continue;
            }
            wake.await(Kernel.NEVER);
            while (wake.poll() != null) {
                // drained: the loop looks at both sources
            }
        }
    }

    private void input(ClientChannels.RxFrame f) {
        MemorySegment m = f.memory();
        int len = f.length();
        ctx.consume(costs.ipInputNs + costs.tcpInputNs + costs.checksumNs(len));
        int buffer = f.buffer();
        if (len < EthernetFrame.HEADER_LEN + Headers.IPV4 + TcpHeader.MIN_HEADER_LEN) {
            dropFrame(buffer);
            return;
        }
        Ipv4Packet p = ip.wrap(m, f.offset() + EthernetFrame.HEADER_LEN, len - EthernetFrame.HEADER_LEN);
        if (p.validate() != Ipv4Packet.Check.OK || p.protocol() != Ipv4Packet.PROTO_TCP || p.isFragment()) {
            dropFrame(buffer);
            return;
        }
        int tcpLen = p.totalLength() - p.headerLength();
        TcpHeader s = seg.wrap(m, f.offset() + EthernetFrame.HEADER_LEN + p.headerLength(), tcpLen);
        if (s.validate(tcpLen, p.src(), p.dst()) != TcpHeader.Check.OK) {
            dropFrame(buffer);
            return;
        }
        currentRxBuffer = buffer;
        currentFrameOff = f.offset();
        currentFrameLen = len;
        rxRefs[buffer] = 0;
        tcp.input(s, ctx.nowNs());
        currentRxBuffer = -1;
        if (rxRefs[buffer] == 0) {
            ch.recycle(buffer);
        }
        kickTimer();
    }

    private void dropFrame(int buffer) {
        framesDropped++;
        ch.recycle(buffer);
    }

    private final ReceiveStream receiveStream = new ReceiveStream() {
        @Override
        public void deliver(MemorySegment from, long offset, int len) {
            if (len <= 0) {
                return;
            }
            if (currentRxBuffer >= 0 && from == ch.rxMemory() && offset >= currentFrameOff
                    && offset + len <= currentFrameOff + currentFrameLen) {
                // Zero-copy: to_app points into the receive buffer the frame arrived in.
                int slot = newAppSlot();
                appBuf[slot] = currentRxBuffer;
                appOff[slot] = offset;
                appLen[slot] = len;
                rxRefs[currentRxBuffer]++;
            } else {
                // From the core's reassembly store, not a frame of ours: copy it into the spill ring.
                ctx.consume(costs.copyNs(len));
                int done = 0;
                while (done < len) {
                    long at = spillAllocated % SPILL_BYTES;
                    int n = (int) Math.min(len - done, SPILL_BYTES - at);
                    MemorySegment.copy(from, offset + done, spill, at, n);
                    int last = appCount > 0 ? (appHead + appCount - 1) % TO_APP_SLOTS : -1;
                    if (last >= 0 && appBuf[last] < 0 && appSpillEnd[last] == spillAllocated && at != 0) {
                        appLen[last] += n; // right after the previous spill piece: one slot
                    } else {
                        int slot = newAppSlot();
                        appBuf[slot] = -1;
                        appOff[slot] = at;
                        appLen[slot] = n;
                    }
                    spillAllocated += n;
                    appSpillEnd[(appHead + appCount - 1) % TO_APP_SLOTS] = spillAllocated;
                    done += n;
                }
            }
            toApp.advance(1);
        }

        private int newAppSlot() {
            if (appCount == TO_APP_SLOTS) {
                // The window the core was given makes this impossible: see TO_APP_SLOTS.
                throw new IllegalStateException(name + ": to_app overflow");
            }
            appCount++;
            return (appHead + appCount - 1) % TO_APP_SLOTS;
        }

        @Override
        public void finReceived() {
            finReceived = true;
            toApp.advance(1);
        }

        @Override
        public int space() {
            // The paper: the window from the receive buffers primed at the driver and the free
            // slots of to_app (and, for data out of order, what the spill area can take).
            int held = 0;
            for (int r : rxRefs) {
                if (r > 0) {
                    held++;
                }
            }
            int primed = ch.rxBuffers() - held - returnedCount;
            int slots = TO_APP_WINDOW_SLOTS - appCount;
            long bytes = (long) Math.max(0, Math.min(primed, slots)) * mss;
            return (int) Math.min(bytes, SPILL_BYTES - (spillAllocated - spillReleased));
        }
    };

    private void finishAppSlot(int i) {
        if (appBuf[i] >= 0) {
            int b = appBuf[i];
            if (--rxRefs[b] == 0) {
                // The intra-domain channel back to the receiver thread, which primes the driver.
                returned[(returnedHead + returnedCount) % returned.length] = b;
                returnedCount++;
                returnedEc.advance(1);
            }
        } else {
            spillReleased = appSpillEnd[i];
        }
        appHead = (appHead + 1) % TO_APP_SLOTS;
        appCount--;
    }

    // ==========================================================================================
    // The timer thread
    // ==========================================================================================

    /** Wakes the timer thread if the connection now needs it earlier than it planned. */
    private void kickTimer() {
        if (tcp.nextTimerNs() < timerArmedNs || tcp.state() == TcpState.CLOSED) {
            timerKick.advance(1);
        }
    }

    private void timerLoop() {
        while (true) {
            long next = tcp.nextTimerNs();
            if (tcp.state() == TcpState.CLOSED) {
                release();
                return;
            }
            timerArmedNs = next;
            timerKick.await(timerKick.read() + 1, next);
            timerArmedNs = Kernel.NEVER;
            long now = ctx.nowNs();
            if (now >= tcp.nextTimerNs()) {
                ctx.consume(costs.tcpTimerNs);
                tcp.onTimer(now);
            }
        }
    }

    /** The connection is over: the flow (channels, filters, port, reservation) goes back. */
    private void release() {
        if (!flowReleased) {
            flowReleased = true;
            returnedEc.advance(1); // lets the receiver thread see it and end
            toApp.advance(1);
            sendSpace.advance(1);
            inet.flowManager().close(flow);
        }
    }

    /** What can hold the connection up, in one line (for debugging a stalled transfer). */
    public String diagnostics() {
        return tcp + " next timer " + tcp.nextTimerNs() + " now " + ctx.nowNs() + " outputBlocked " + outputBlocked
                + " payloadsHeld " + payloadsHeld + " freeHeaders " + ch.freeTxBuffers() + " txPut " + ch.txChannel().master().queryPut()
                + " txOutstandingSlots " + ch.txChannel().master().outstandingSlots() + " freePayload " + freePayloadCount
                + " ring " + ringCount + " toApp " + appCount + " returned " + returnedCount + " segmentsOutLost "
                + segmentsOutLost + " counters " + tcp.counters().nonZero();
    }

    @Override
    public String toString() {
        return name + " " + tcp.state();
    }

    /** The connection could not be opened. */
    public static final class ConnectionFailedException extends RuntimeException {
        public ConnectionFailedException(String message) {
            super(message);
        }
    }

    /** The connection can no longer do what was asked (closed, reset, shut down). */
    public static final class ConnectionClosedException extends RuntimeException {
        public ConnectionClosedException(String message) {
            super(message);
        }
    }
}

package nemesis.drivers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;
import nemesis.drivers.sim.Frame;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.EventQueue;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.Program;
import nemesis.rbufs.IoEndpoint;
import nemesis.rbufs.IoRecs;

/**
 * The network driver domain ({@code mod/net/netif/netif.c}, digest §2–§4). It multiplexes one card
 * among client domains and does nothing else on their behalf: each client brings its own receive
 * and transmit I/O channels (it is their master) and its own protocol stack.
 *
 * <h2>Transmit: the TX thread</h2>
 * Loop: wait for a free transmit descriptor; rendezvous with the {@link TransmitScheduler}, which
 * picks a channel with a packet queued and either slice left or the extra flag; make sure the
 * channel's return FIFO will have room for everything the card holds of it; take one packet;
 * charge the channel the packet's transmission time ({@link #wireTimeNs}: the IP datagram's
 * bytes x 8e9 / rate); copy and check the header ({@link TransmitFilter}); gather the frame and
 * hand it to the card. A refused packet goes back to the client unsent and is counted.
 *
 * <h2>Interrupts: the IRQ thread</h2>
 * Transmit done: the client's buffers go back on its transmit channel (the transmit-buffer
 * reclaim) and the descriptor is free again. Frame received: the {@link ReceiveDemux} picks the
 * client; the frame is copied into an empty buffer the client primed on its receive channel and
 * put back full; no primed buffer, or a frame for nobody, is a drop, counted by reason.
 *
 * <h2>Control</h2>
 * The flow manager — trusted — adds clients, installs filters and removes them, by calling the
 * methods below from its own threads (the tables are shared; the calls are charged to it).
 */
public final class NetworkDriver implements Program {
    /** Records a client may use for one transmit packet. */
    public static final int MAX_TX_RECORDS = 16;
    /** Records of a primed receive buffer. */
    public static final int MAX_RX_RECORDS = 4;

    private final String name;
    private final Nic nic;
    private final long linkRateBps;
    private final long hostMac;
    private final int hostIp;
    private final TransmitScheduler<ClientBinding> scheduler;
    private final ReceiveDemux<ClientBinding> demux;
    private final DriverCounters counters = new DriverCounters();
    private final List<ClientBinding> bindings = new ArrayList<>();
    private final Map<EventCount, ClientBinding> byArrivals = new IdentityHashMap<>();
    /** The client took buffers back from its return FIFO: a channel suspended for want of room there may go on. */
    private final Map<EventCount, ClientBinding> byReclaims = new IdentityHashMap<>();
    private int nextBindingId;

    // descriptors: one per frame the card can hold
    private final Descriptor[] descriptors;
    private final int[] freeList;
    private int freeCount;

    // the driver domain's own state, set when it starts
    private DomainContext ctx;
    private EventCount interrupt;
    private EventQueue notifications;
    private EventCount descriptorFreed;
    private long warmupNs;

    // costs (machine profile)
    private long txPacketNs;
    private long txFilterNs;
    private long txFreeNs;
    private long rxPacketNs;
    private long copyBytePs;

    // held fragments that arrived before their first
    private static final int HOLD = 16;
    private final Frame[] held = new Frame[HOLD];
    private final Frame[] retrying = new Frame[HOLD];
    private final long[] heldAt = new long[HOLD];
    private int heldCount;

    private static final class Descriptor {
        final int index;
        final MemorySegment header = Arena.ofAuto().allocate(TransmitFilter.MAX_HEADER, 8);
        final IoRecs recs = new IoRecs(MAX_TX_RECORDS);
        ClientBinding binding;

        Descriptor(int index) {
            this.index = index;
        }
    }

    /**
     * @param txCapPpb the most the transmit reservations may add up to (1e9: the whole wire)
     */
    public NetworkDriver(String name, Nic nic, long linkRateBps, int hostIp, long txCapPpb) {
        this.name = name;
        this.nic = nic;
        this.linkRateBps = linkRateBps;
        this.hostMac = nic.mac();
        this.hostIp = hostIp;
        this.scheduler = new TransmitScheduler<>(txCapPpb);
        this.demux = new ReceiveDemux<>(hostMac, hostIp);
        this.descriptors = new Descriptor[nic.txDescriptors()];
        this.freeList = new int[descriptors.length];
        for (int i = 0; i < descriptors.length; i++) {
            descriptors[i] = new Descriptor(i);
            freeList[freeCount++] = i;
        }
    }

    public String name() {
        return name;
    }

    public Nic nic() {
        return nic;
    }

    public long hostMac() {
        return hostMac;
    }

    public int hostIp() {
        return hostIp;
    }

    public int mtu() {
        return nic.mtu();
    }

    public long linkRateBps() {
        return linkRateBps;
    }

    public DriverCounters counters() {
        return counters;
    }

    public List<ClientBinding> bindings() {
        return Collections.unmodifiableList(bindings);
    }

    /** The driver domain, once it runs (null before). */
    public DomainContext domain() {
        return ctx;
    }

    /**
     * The transmit time charged for a packet of {@code bytes} (the IP datagram, or ARP message:
     * the frame without its 14-byte Ethernet header) at the link rate, rounded up.
     *
     * <p>The paper's arithmetic charges an MTU packet its 1500 bytes: "1500 bytes including TCP/IP
     * headers ... takes about 1.2 ms" at 10 Mb/s, a 2.4 ms slice sends exactly two, 9.6 ms eight.
     * The release's netif.c charged the whole frame (1514 bytes): then 2.4 ms is slightly less than
     * two packets, a debt of 22.4 us builds each period, and every 53rd period sends one packet.
     * We follow the paper.
     */
    public long wireTimeNs(long bytes) {
        return Math.ceilDiv(bytes * 8_000_000_000L, linkRateBps);
    }

    // ------------------------------------------------------------------------------------------
    // The domain
    // ------------------------------------------------------------------------------------------

    @Override
    public void run(DomainContext self) {
        ctx = self;
        warmupNs = self.warmupEndNs();
        MachineProfile m = self.machine();
        txPacketNs = m.costNs("driver.tx_packet_ns", 0);
        txFilterNs = m.costNs("driver.tx_filter_ns", 0);
        txFreeNs = m.costNs("driver.tx_free_ns", 0);
        rxPacketNs = m.costNs("driver.rx_packet_ns", 0);
        copyBytePs = m.costNs("driver.copy_byte_ps", 0);
        interrupt = self.newEventCount("interrupt");
        notifications = self.newEventQueue("tx-notify");
        descriptorFreed = self.newEventCount("descriptor-freed");
        nic.attach(interrupt);
        self.export(name, this);
        self.spawn("irq", this::interrupts);
        transmit();
    }

    private void transmit() {
        IoRecs recs = new IoRecs(MAX_TX_RECORDS);
        IoRecs rxLoop = new IoRecs(MAX_RX_RECORDS);
        long charged = 0;
        while (true) {
            drainNotifications();
            if (freeCount == 0) {
                long seen = descriptorFreed.read();
                while (freeCount == 0) {
                    descriptorFreed.await(++seen);
                }
                continue;
            }
            long now = ctx.nowNs();
            Sdom<ClientBinding> s = scheduler.next(now, charged, idle);
            charged = 0;
            idle = false;
            current = s;
            if (s == null) {
                notifications.await(scheduler.nextTimerNs());
                continue;
            }
            ClientBinding b = s.owner();
            boolean extra = scheduler.currentIsExtra();
            int n = b.tx.queryGet(0);
            if (n <= 0 || n > MAX_TX_RECORDS) {
                if (n != 0) {
                    counters.add(DriverCounters.Reason.TX_CORRUPT_FIFO);
                }
                idle = true;
                continue;
            }
            // Everything the card holds of this client must fit in its return FIFO (as netif.c checks).
            if (!b.tx.awaitFreeSlots(Math.min(b.tx.queryDepth(), b.outstandingSlots + n + 1), 0)) {
                counters.add(DriverCounters.Reason.TX_SUSPENDED);
                b.suspended = true; // until the client takes buffers back (drainNotifications)
                idle = true;
                continue;
            }
            b.tx.getPkt(recs, 0);
            if (txPacketNs > 0) {
                ctx.consume(txPacketNs);
            }
            long length = recs.totalLength();
            if (!b.tx.recordsInArea(recs) || recs.len(0) > TransmitFilter.MAX_HEADER) {
                counters.add(DriverCounters.Reason.TX_BAD_RECORDS);
                giveBack(b, recs);
                idle = b.tx.queryGet(0) <= 0;
                continue;
            }
            if (length > nic.mtu() + 14) {
                counters.add(DriverCounters.Reason.TX_TOO_LONG);
                giveBack(b, recs);
                idle = b.tx.queryGet(0) <= 0;
                continue;
            }
            charged = wireTimeNs(length - nemesis.wire.EthernetFrame.HEADER_LEN);
            if (now >= warmupNs) {
                if (extra) {
                    b.measuredExtraNs += charged;
                } else {
                    b.measuredGuaranteedNs += charged;
                }
            }
            Descriptor d = descriptors[freeList[--freeCount]];
            if (txFilterNs > 0) {
                ctx.consume(txFilterNs);
            }
            long hdrOff = b.txView.offsetOf(recs.base(0), recs.len(0));
            TransmitFilter.Verdict v = b.filter.copyAndCheck(b.txView.segment(), hdrOff, recs.len(0), d.header, 0);
            Frame f = v == TransmitFilter.Verdict.PASS ? nic.allocateTx() : null;
            if (f == null) {
                counters.add(v == TransmitFilter.Verdict.PASS ? DriverCounters.Reason.TX_NO_FRAME_BUFFER
                        : DriverCounters.Reason.TX_SPOOFED);
                if (v != TransmitFilter.Verdict.PASS) {
                    b.spoofed++;
                }
                freeList[freeCount++] = d.index;
                giveBack(b, recs);
                idle = b.tx.queryGet(0) <= 0;
                continue;
            }
            gather(f, d, b, recs);
            b.framesSent++;
            b.bytesSent += length;
            if (now >= warmupNs) {
                b.measuredFrames++;
                b.measuredBytes += length;
            }
            if (TransmitFilter.macAt(f.segment(), 0) == hostMac) {
                // For this host (netif.c): short-circuit it up the receive side, not onto the wire.
                freeList[freeCount++] = d.index;
                giveBack(b, recs);
                loopback(f, rxLoop);
            } else {
                d.binding = b;
                d.recs.copyFrom(recs);
                b.outstandingSlots += recs.count() + 1;
                nic.transmit(f, d.index);
            }
            idle = b.tx.queryGet(0) <= 0;
        }
    }

    /** The frame: the checked copy of the header, then the payload records straight from the client. */
    private void gather(Frame f, Descriptor d, ClientBinding b, IoRecs recs) {
        byte[] out = f.bytes();
        int pos = recs.len(0);
        MemorySegment.copy(d.header, ValueLayout.JAVA_BYTE, 0, out, 0, pos);
        MemorySegment area = b.txView.segment();
        for (int i = 1; i < recs.count(); i++) {
            int len = recs.len(i);
            MemorySegment.copy(area, ValueLayout.JAVA_BYTE, b.txView.offsetOf(recs.base(i), len), out, pos, len);
            pos += len;
        }
        f.length(pos);
    }

    private void giveBack(ClientBinding b, IoRecs recs) {
        if (!b.closed && !b.tx.putPkt(recs, 0)) {
            counters.add(DriverCounters.Reason.TX_RECLAIM_FIFO_FULL);
        }
    }

    private void drainNotifications() {
        EventCount ec;
        while ((ec = notifications.poll()) != null) {
            ClientBinding b = byArrivals.get(ec);
            if (b != null && !b.closed) {
                scheduler.notify(b.sdom);
                if (b.sdom == current) {
                    // It put packets after we found its FIFO empty (we waited for a descriptor in
                    // between): it is not idle. Blocking it now would lose this wake-up, and its
                    // packets would wait for a put that may never come.
                    idle = false;
                }
                continue;
            }
            b = byReclaims.get(ec);
            if (b != null && !b.closed && b.suspended) {
                // Without this wake-up a suspended channel would wait for the client's next put,
                // which may never come: its last frames would stay queued (or, if the client is
                // itself waiting for FIFO room, both would wait for ever).
                b.suspended = false;
                scheduler.notify(b.sdom);
                if (b.sdom == current) {
                    idle = false; // as above: it was suspended a moment ago, not idle now
                }
            }
        }
    }

    /** The channel the scheduler last chose, and whether we found it with nothing queued (TX thread only). */
    private Sdom<ClientBinding> current;
    private boolean idle;

    private void interrupts() {
        IoRecs rxRecs = new IoRecs(MAX_RX_RECORDS);
        long seen = 0;
        while (true) {
            interrupt.await(seen + 1);
            seen = interrupt.read();
            int token;
            while ((token = nic.pollTxDone()) >= 0) {
                reclaim(descriptors[token]);
            }
            Frame f;
            while ((f = nic.pollReceived()) != null) {
                receive(f, rxRecs, false);
            }
        }
    }

    /** A frame this host sent to itself: received at once, as if from the wire. */
    private void loopback(Frame f, IoRecs rxRecs) {
        loopedBack++;
        receive(f, rxRecs, false);
    }

    /** Frames this host sent to its own address, turned round without touching the wire. */
    public long loopedBack() {
        return loopedBack;
    }

    private long loopedBack;

    private void reclaim(Descriptor d) {
        if (txFreeNs > 0) {
            ctx.consume(txFreeNs);
        }
        ClientBinding b = d.binding;
        b.outstandingSlots -= d.recs.count() + 1;
        giveBack(b, d.recs);
        d.binding = null;
        freeList[freeCount++] = d.index;
        descriptorFreed.advance(1);
    }

    /**
     * Demultiplexes a received frame. A held fragment that is retried ({@code retry}) is charged
     * only the copy into the client's buffer: its interrupt and classification were paid for when
     * it arrived.
     */
    private void receive(Frame f, IoRecs rxRecs, boolean retry) {
        int len = f.length();
        long cost = (retry ? 0 : rxPacketNs) + Math.ceilDiv(len * copyBytePs, 1000);
        if (cost > 0 && !retry) {
            ctx.consume(cost);
        }
        MemorySegment seg = f.segment();
        long now = ctx.nowNs();
        switch (demux.classify(seg, 0, len, now)) {
            case DROP -> {
                counters.add(DriverCounters.of(demux.drop()));
                f.release();
            }
            case HOLD -> hold(f, now);
            case DELIVER -> {
                if (retry && cost > 0) {
                    ctx.consume(cost);
                }
                deliver(demux.target(), f, seg, rxRecs);
                f.release();
                if (heldCount > 0 && !retry) {
                    retryHeld(rxRecs, now);
                }
            }
        }
    }

    private void deliver(ClientBinding b, Frame f, MemorySegment frame, IoRecs rxRecs) {
        int len = f.length();
        if (b.closed || !b.rx.getPkt(rxRecs, 0)) {
            counters.add(DriverCounters.Reason.RX_NO_BUFFER);
            b.rxNoBuffer++;
            return;
        }
        if (!b.rx.recordsInArea(rxRecs)) {
            counters.add(DriverCounters.Reason.RX_BAD_BUFFER);
            rxRecs.value(0);
            b.rx.putPkt(rxRecs, 0);
            return;
        }
        if (rxRecs.totalLength() < len) {
            counters.add(DriverCounters.Reason.RX_BUFFER_TOO_SMALL);
            for (int i = 0; i < rxRecs.count(); i++) {
                rxRecs.set(i, rxRecs.base(i), 0);
            }
            rxRecs.value(0);
            b.rx.putPkt(rxRecs, 0);
            return;
        }
        MemorySegment area = b.rxView.segment();
        int pos = 0;
        for (int i = 0; i < rxRecs.count(); i++) {
            int n = Math.min(rxRecs.len(i), len - pos);
            MemorySegment.copy(frame, pos, area, b.rxView.offsetOf(rxRecs.base(i), n), n);
            rxRecs.set(i, rxRecs.base(i), n);
            pos += n;
        }
        rxRecs.value(len);
        b.rx.putPkt(rxRecs, 0);
        b.framesReceived++;
        b.bytesReceived += len;
    }

    private void hold(Frame f, long now) {
        expireHeld(now);
        if (heldCount == HOLD) {
            counters.add(DriverCounters.Reason.RX_FRAGMENT_UNCLAIMED);
            f.release();
            return;
        }
        held[heldCount] = f;
        heldAt[heldCount] = now;
        heldCount++;
    }

    private void retryHeld(IoRecs rxRecs, long now) {
        int n = heldCount;
        System.arraycopy(held, 0, retrying, 0, n);
        heldCount = 0;
        for (int i = 0; i < n; i++) {
            Frame f = retrying[i];
            retrying[i] = null;
            receive(f, rxRecs, true);
        }
        expireHeld(now);
    }

    private void expireHeld(long now) {
        int kept = 0;
        for (int i = 0; i < heldCount; i++) {
            if (now - heldAt[i] >= ReceiveDemux.FRAGMENT_ROUTE_NS) {
                counters.add(DriverCounters.Reason.RX_FRAGMENT_UNCLAIMED);
                held[i].release();
            } else {
                held[kept] = held[i];
                heldAt[kept] = heldAt[i];
                kept++;
            }
        }
        for (int i = kept; i < heldCount; i++) {
            held[i] = null;
        }
        heldCount = kept;
    }

    // ------------------------------------------------------------------------------------------
    // Control: the flow manager's interface (trusted; called from its threads)
    // ------------------------------------------------------------------------------------------

    /**
     * Adds a client: the slave ends of its receive and transmit channels (it is their master) and
     * its transmit reservation. The channel starts idle with no transmit filter: it can send
     * nothing until the flow manager installs one.
     *
     * @throws AdmissionException if the transmit reservation does not fit
     */
    public ClientBinding addClient(DomainContext client, IoEndpoint rxSlave, IoEndpoint txSlave, Qos txQos)
            throws AdmissionException {
        requireRunning();
        if (rxSlave.domain() != ctx || txSlave.domain() != ctx) {
            throw new IllegalArgumentException("the driver must be the slave of both channels");
        }
        ClientBinding b = new ClientBinding(nextBindingId++, client, rxSlave, txSlave);
        b.sdom = scheduler.bind(b, txQos, ctx.nowNs());
        bindings.add(b);
        byArrivals.put(txSlave.arrivals(), b);
        notifications.attach(txSlave.arrivals());
        byReclaims.put(txSlave.acknowledgements(), b);
        notifications.attach(txSlave.acknowledgements());
        return b;
    }

    public void setTxQos(ClientBinding b, Qos qos) throws AdmissionException {
        scheduler.setQos(b.sdom, qos);
    }

    public Qos txQos(ClientBinding b) {
        return b.sdom.qos();
    }

    public void setTemplate(ClientBinding b, TransmitFilter.Template t) {
        b.filter.template(t);
    }

    public boolean addExact(ClientBinding b, int protocol, int localPort, int remoteIp, int remotePort) {
        return demux.addExact(protocol, localPort, remoteIp, remotePort, b);
    }

    public void removeExact(int protocol, int localPort, int remoteIp, int remotePort) {
        demux.removeExact(protocol, localPort, remoteIp, remotePort);
    }

    public boolean addListen(ClientBinding b, int protocol, int localPort) {
        return demux.addListen(protocol, localPort, b);
    }

    public void removeListen(int protocol, int localPort) {
        demux.removeListen(protocol, localPort);
    }

    public void arpClient(ClientBinding b) {
        demux.arpClient(b);
    }

    public void defaultClient(ClientBinding b) {
        demux.defaultClient(b);
    }

    /** Removes a client (closed, or dead): no more frames to or from it; its reservation is freed. */
    public void removeClient(ClientBinding b) {
        if (b.closed) {
            return;
        }
        b.closed = true;
        scheduler.unbind(b.sdom);
        demux.removeAll(b);
        notifications.detach(b.tx.arrivals());
        byArrivals.remove(b.tx.arrivals());
        notifications.detach(b.tx.acknowledgements());
        byReclaims.remove(b.tx.acknowledgements());
    }

    /** The transmit reservations admitted, in parts per billion of the wire. */
    public long txAdmittedPpb() {
        return scheduler.admittedPpb();
    }

    private void requireRunning() {
        if (ctx == null) {
            throw new IllegalStateException("driver " + name + " has not started");
        }
    }
}

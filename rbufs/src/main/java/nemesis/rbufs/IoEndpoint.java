package nemesis.rbufs;

import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.MachineProfile;

/**
 * One end of an I/O channel, used by one domain: it puts into one FIFO and gets from the other.
 * The operations of {@code IO.if}; {@code untilNs} is an absolute time (0 or the past: do not
 * block, {@link nemesis.kernel.Kernel#NEVER}: block as long as needed). Each operation charges
 * the calling domain the channel costs of the machine profile ({@code io.put_ns},
 * {@code io.get_ns}), and notifying the peer costs an event send.
 */
public final class IoEndpoint {
    private final String name;
    private final DomainContext domain;
    private final Fifo out;
    private final Fifo in;
    private final RbufArea area;
    private final long putNs;
    private final long getNs;

    IoEndpoint(String name, DomainContext domain, Fifo out, Fifo in, RbufArea area) {
        this.name = name;
        this.domain = domain;
        this.out = out;
        this.in = in;
        this.area = area;
        MachineProfile m = domain.machine();
        this.putNs = m.costNs("io.put_ns", 0);
        this.getNs = m.costNs("io.get_ns", 0);
    }

    public String name() {
        return name;
    }

    public DomainContext domain() {
        return domain;
    }

    /** The data area of the channel. */
    public RbufArea area() {
        return area;
    }

    /** This domain's view of the data area, with the rights the mode gives it. */
    public AreaView view() {
        return area.view(domain);
    }

    /** The domain at the other end. */
    public DomainContext peer() {
        return out.consumer;
    }

    /**
     * Puts a packet for the peer. Needs {@code recs.count() + 1} free slots; waits for them until
     * {@code untilNs}. False on timeout (nothing was put).
     */
    public boolean putPkt(IoRecs recs, long untilNs) {
        if (putNs > 0) {
            domain.consume(putNs);
        }
        return out.put(recs, untilNs);
    }

    /**
     * Gets the peer's next packet into {@code recs}, waiting until {@code untilNs}. False on timeout,
     * or if the packet has more records than {@code recs} can hold: then {@code recs.count()} is the
     * number needed and the packet stays.
     */
    public boolean getPkt(IoRecs recs, long untilNs) {
        if (getNs > 0) {
            domain.consume(getNs);
        }
        return in.get(recs, untilNs);
    }

    /**
     * Waits until {@code untilNs} for a packet and says how many records it has: 0 if none came
     * (-1 if the peer wrote a header that cannot be right).
     */
    public int queryGet(long untilNs) {
        in.awaitPacket(untilNs);
        return in.peekCount();
    }

    /** Free slots for putting now. */
    public int queryPut() {
        return out.freeSlots();
    }

    /** Waits until {@code n} slots are free for putting, or {@code untilNs}. */
    public boolean awaitFreeSlots(int n, long untilNs) {
        return out.awaitFreeSlots(n, untilNs);
    }

    /** Slots in each FIFO. */
    public int queryDepth() {
        return out.capacity();
    }

    /** Slots of ours the peer has not given back yet (put but not acknowledged). */
    public int outstandingSlots() {
        return out.capacity() - out.freeSlots();
    }

    /** Advances when the peer puts a packet for us: attach it to an event queue to serve many channels. */
    public EventCount arrivals() {
        return in.produced;
    }

    /** Advances when the peer has taken what we put. */
    public EventCount acknowledgements() {
        return out.acked;
    }

    /** Whether every record lies inside the channel's data area (a driver checks this before use). */
    public boolean recordsInArea(IoRecs recs) {
        for (int i = 0; i < recs.count(); i++) {
            if (!area.contains(recs.base(i), recs.len(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}

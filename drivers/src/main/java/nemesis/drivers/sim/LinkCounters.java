package nemesis.drivers.sim;

/** What one direction of an {@link EthernetLink} carried. Live: read it any time. */
public final class LinkCounters {
    private static final LinkEvent[] EVENTS = LinkEvent.values();

    long frames;
    long bytes;
    long wireBytes;
    long wireTimeNs;
    long delivered;
    private final long[] events = new long[EVENTS.length];

    /** Frames handed to the link ({@link EthernetLink#send}). */
    public long frames() {
        return frames;
    }

    /** Frame bytes handed to the link (without padding or overhead). */
    public long bytes() {
        return bytes;
    }

    /** Bytes the wire carried: frames padded to the minimum, plus per-frame overhead. */
    public long wireBytes() {
        return wireBytes;
    }

    /** Time the port spent serializing. */
    public long wireTimeNs() {
        return wireTimeNs;
    }

    /** Frames given to the far end's receiver, duplicates included. */
    public long delivered() {
        return delivered;
    }

    public long count(LinkEvent e) {
        return events[e.ordinal()];
    }

    /** Frames not delivered, over every drop reason. */
    public long dropped() {
        long n = 0;
        for (LinkEvent e : EVENTS) {
            if (e.isDrop()) {
                n += events[e.ordinal()];
            }
        }
        return n;
    }

    public long lost() {
        return count(LinkEvent.LOSS);
    }

    public long corrupted() {
        return count(LinkEvent.CORRUPT);
    }

    void add(LinkEvent e) {
        events[e.ordinal()]++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append("frames=").append(frames).append(" bytes=").append(bytes)
                .append(" wireTimeNs=").append(wireTimeNs).append(" delivered=").append(delivered);
        for (LinkEvent e : EVENTS) {
            if (events[e.ordinal()] != 0) {
                sb.append(' ').append(e.name().toLowerCase()).append('=').append(events[e.ordinal()]);
            }
        }
        return sb.toString();
    }
}

package nemesis.drivers.sim;

/**
 * What can happen to a frame on an {@link EthernetLink} besides plain delivery: every one is
 * counted per direction ({@link LinkCounters#count}) and reported to the {@link LinkListener}.
 */
public enum LinkEvent {
    LOSS(true, "lost on the wire (fault injection)"),
    DUPLICATE(false, "delivered twice (fault injection)"),
    DUPLICATE_NO_FRAME(false, "duplicate not made: frame pool empty"),
    REORDER(false, "held back so later frames overtake it (fault injection)"),
    CORRUPT(false, "bits flipped after the Ethernet header (fault injection)"),
    CORRUPT_TOO_SHORT(false, "not corrupted: no bytes after the Ethernet header"),
    CORRUPT_ARP_DROPPED(true, "corrupted ARP frame dropped, as the Ethernet CRC would (ARP has no checksum)"),
    NO_RECEIVER(true, "dropped on arrival: no receiver attached");

    private final boolean drop;
    private final String reason;

    LinkEvent(boolean drop, String reason) {
        this.drop = drop;
        this.reason = reason;
    }

    /** True if the frame is not delivered. */
    public boolean isDrop() {
        return drop;
    }

    public String reason() {
        return reason;
    }
}

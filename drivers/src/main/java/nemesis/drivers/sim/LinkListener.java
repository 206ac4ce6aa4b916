package nemesis.drivers.sim;

/** Told of every {@link LinkEvent} as it happens, for logs. Optional; called inline, must not block. */
@FunctionalInterface
public interface LinkListener {
    /**
     * @param timeNs  when the event was decided: the frame's start on the wire for faults, its
     *                arrival for {@link LinkEvent#NO_RECEIVER}
     * @param from    the sending end
     * @param frameNo the frame's number in its direction, from 0 in order of {@link EthernetLink#send}
     * @param detail  what exactly (bits flipped, delay held back), or ""
     */
    void onEvent(long timeNs, End from, long frameNo, LinkEvent event, String detail);
}

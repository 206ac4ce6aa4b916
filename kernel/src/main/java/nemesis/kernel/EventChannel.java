package nemesis.kernel;

/**
 * The sending end of an event channel from one domain to an event count of another. Sending goes
 * through the kernel (it costs a kernel entry and an event send) and, as on Nemesis/x86, is
 * delivered when the sender is next descheduled: the receiver sees it after the sender blocks,
 * yields or is preempted.
 */
public final class EventChannel {
    final Domain from;
    final EventCount to;

    EventChannel(Domain from, EventCount to) {
        this.from = from;
        this.to = to;
    }

    /** Advances the receiver's event count by {@code n}. */
    public void send(long n) {
        from.kernel.send(this, n);
    }

    public Domain from() {
        return from;
    }

    public EventCount to() {
        return to;
    }
}

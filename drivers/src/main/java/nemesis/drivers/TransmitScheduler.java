package nemesis.drivers;

import nemesis.atropos.AdmissionException;
import nemesis.atropos.Atropos;
import nemesis.atropos.Flavour;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;

/**
 * The driver's transmit scheduler ("QoSEntry", {@code mod/nemesis/qosentry/qosentry.c}): which
 * I/O channel sends the next frame. Transmit time is reserved like CPU time — a slice of wire time
 * per period, and an extra flag — and scheduled by the transmit flavour of the same Atropos core.
 * Pure: the TX thread passes the time and says what it did.
 *
 * <ul>
 *   <li>A channel with nothing queued is idle (blocked). {@link #notify} — the client put a packet —
 *       wakes it: after a long idle it starts a period now with a full slice; after a short one its
 *       remainder is thrown away and it waits for its next period.</li>
 *   <li>{@link #next} is the rendezvous: it charges the wire time of the frame just sent (from the
 *       slice while some is left, a debt carrying over; else from the 20 ms best-effort budget of
 *       extra time, which moves round-robin among extra channels) and picks the next channel.</li>
 * </ul>
 *
 * @param <C> the driver's per-channel state
 */
public final class TransmitScheduler<C> {
    private final Atropos<C> atropos;

    /** @param capPpb the most the transmit reservations may add up to (1e9 = the whole wire) */
    public TransmitScheduler(long capPpb) {
        this.atropos = new Atropos<>(Flavour.TRANSMIT, capPpb);
    }

    /**
     * Adds a channel with reservation {@code qos}, idle until its first {@link #notify}.
     *
     * @throws AdmissionException if the transmit reservations would exceed the cap
     */
    public Sdom<C> bind(C channel, Qos qos, long nowNs) throws AdmissionException {
        return atropos.admitIdle(channel, qos, nowNs);
    }

    public void unbind(Sdom<C> s) {
        atropos.remove(s);
    }

    public void setQos(Sdom<C> s, Qos qos) throws AdmissionException {
        atropos.setQos(s, qos);
    }

    /** The client of {@code s} put a packet: wake the channel if it was idle. */
    public void notify(Sdom<C> s) {
        atropos.wake(s);
    }

    /**
     * The rendezvous: charges the frame just sent and picks the channel to send from next.
     *
     * @param chargedNs wire time of the frame just sent by the channel {@code next} last returned (0 if none)
     * @param nowIdle   that channel has nothing more queued: it becomes idle
     * @return the channel to send one frame from, or null: wait for {@link #nextTimerNs()} or a notify
     */
    public Sdom<C> next(long nowNs, long chargedNs, boolean nowIdle) {
        return atropos.schedule(nowNs, chargedNs, nowIdle, Atropos.NEVER);
    }

    /** When a waiting channel's next period begins (a reason to rendezvous again). */
    public long nextTimerNs() {
        return atropos.nextTimerNs();
    }

    /** Whether the channel last returned by {@link #next} sends on extra time. */
    public boolean currentIsExtra() {
        return atropos.currentIsExtra();
    }

    public long admittedPpb() {
        return atropos.admittedPpb();
    }
}

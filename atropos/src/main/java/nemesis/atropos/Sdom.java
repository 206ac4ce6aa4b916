package nemesis.atropos;

/**
 * A scheduling domain: what Atropos accounts time to (a domain for the CPU, an I/O channel for the
 * transmit scheduler). Fields follow {@code h/sdom.h}; only {@link Atropos} changes them.
 *
 * @param <T> what the owner of the scheduler hangs on it (a kernel domain, a driver channel)
 */
public final class Sdom<T> {
    final int id;
    final T owner;
    Qos qos;
    long sharePpb;

    // ---- scheduling state (atropos.c names)
    SchedState state = SchedState.RUN;
    /** Guaranteed time left in this period; may be negative (debt carried into the next). */
    long remainNs;
    /** End of the current period: the EDF key on the run and wait heaps. */
    long deadlineNs;
    /** Start of the current period. */
    long prevDeadlineNs;
    /** Wake-up time while blocked: the key of the blocked heap. */
    long timeoutNs = Atropos.NEVER;
    /** When it was last chosen; {@code Long.MIN_VALUE} before its first run. */
    long lastScheduledNs = Long.MIN_VALUE;
    /** When it was last descheduled. */
    long lastDescheduledNs = Long.MIN_VALUE;
    /** How the last wake-up happened, reported once with the next activation; null if none. */
    ActivationReason pendingWakeReason;

    // ---- accounting (sdom.h: ac_g, ac_x, ac_lp, ac_time) and totals
    long acGuaranteedNs;
    long acExtraNs;
    long acLastPeriodNs;
    long acThisPeriodNs;
    long periods;
    long lateSlices;

    // ---- intrusive structure links, owned by the heaps and the extra ring
    /** Index in whichever of run/wait/blocked it is on, -1 if none. */
    int heapIndex = -1;
    /** Index in the unblocked heap, -1 if none. */
    int unblockedIndex = -1;
    Sdom<T> ringNext;
    Sdom<T> ringPrev;
    boolean inRing;
    boolean wakePending;

    Sdom(int id, T owner, Qos qos) {
        this.id = id;
        this.owner = owner;
        this.qos = qos;
        this.sharePpb = qos.shareppb();
    }

    public int id() {
        return id;
    }

    public T owner() {
        return owner;
    }

    public Qos qos() {
        return qos;
    }

    public SchedState state() {
        return state;
    }

    public long remainNs() {
        return remainNs;
    }

    /** End of the current period (kept while blocked: a wake-up before it is a short block). */
    public long deadlineNs() {
        return deadlineNs;
    }

    /** Start of the current period. */
    public long periodStartNs() {
        return prevDeadlineNs;
    }

    /** Wake-up timeout while blocked, {@link Atropos#NEVER} otherwise. */
    public long timeoutNs() {
        return timeoutNs;
    }

    /** Guaranteed time summed up to the end of the last period ({@code ac_g}). */
    public long acGuaranteedNs() {
        return acGuaranteedNs;
    }

    /** Extra time received, all periods ({@code ac_x}). */
    public long acExtraNs() {
        return acExtraNs;
    }

    /** When the last period ended ({@code ac_lp}). */
    public long acLastPeriodNs() {
        return acLastPeriodNs;
    }

    /** Guaranteed time used so far in the current period ({@code ac_time}). */
    public long acThisPeriodNs() {
        return acThisPeriodNs;
    }

    /** All guaranteed time received, including the current period. */
    public long guaranteedTotalNs() {
        return acGuaranteedNs + acThisPeriodNs;
    }

    /** Periods that ended (refills, and restarts after a long block). */
    public long periods() {
        return periods;
    }

    /** Slices that were finished after their deadline (overload or kernel costs). */
    public long lateSlices() {
        return lateSlices;
    }

    @Override
    public String toString() {
        return "sdom" + id + "(" + owner + ", " + state + ", remain=" + remainNs + ", deadline=" + deadlineNs + ")";
    }
}

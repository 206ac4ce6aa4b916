package nemesis.atropos;

import java.util.Arrays;

/**
 * The Atropos scheduler: earliest deadline first over reservations (period, slice), with the
 * time nobody reserved shared round-robin among holders of the extra flag.
 *
 * <p>One pass ({@link #schedule}) does, in the order of {@code atropos.c}:
 * <ol>
 *   <li>deschedule the current sdom, charging it the time it ran: to its slice if it ran in
 *       contracted time, to extra time otherwise; block it if it asked to;</li>
 *   <li>refill every waiting sdom whose deadline has passed: a new period, a new slice (a negative
 *       balance carries over; the leftover of a short block is discarded);</li>
 *   <li>wake sdoms that received an event, then those whose block timed out
 *       (long block: new deadline from the latency hint; short block: keep the slice);</li>
 *   <li>choose: the run heap's head (EDF); else the earliest short-unblocked sdom; else the extra
 *       holder in round-robin order, for at most one quantum;</li>
 *   <li>set the next timer: the chosen one's allocation end, the next refill, the next timeout.</li>
 * </ol>
 *
 * <p>Differences from the release, on purpose:
 * <ul>
 *   <li>Admission control is on (the release had the check but disabled it).</li>
 *   <li>Extra time: the release advanced its round-robin cursor at every decision, so a quantum
 *       cut short by a refill was lost. Here the holder keeps its turn until it has used the
 *       quantum, which makes the shares of extra time equal rather than roughly equal.</li>
 *   <li>Short-unblocked sdoms are taken earliest deadline first (the release took the first it
 *       found in heap order), and ties on every heap are broken by sdom id.</li>
 * </ul>
 *
 * <p>Cost: O(log n) per pass plus O(log n) per refill or wake-up it performs; nothing is
 * allocated in steady state. Not thread-safe: the caller serialises all calls.
 *
 * @param <T> what the caller hangs on each sdom
 */
public final class Atropos<T> {
    /** "No time": a timer that never fires, a block without timeout. */
    public static final long NEVER = Long.MAX_VALUE;
    /** Nemesis' MAX_PPM (98%), the default admission cap. */
    public static final long DEFAULT_CAP_PPB = 980_000_000L;

    private final Flavour flavour;
    private final long capPpb;
    private long admittedPpb;
    private int nextId;

    private final SdomHeap<T> run = new SdomHeap<>(false, false);
    private final SdomHeap<T> wait = new SdomHeap<>(false, false);
    private final SdomHeap<T> blocked = new SdomHeap<>(true, false);
    /** The UNBLOCKED subset of the wait heap, earliest deadline first. */
    private final SdomHeap<T> unblocked = new SdomHeap<>(false, true);

    /**
     * Extra-time ring: every sdom with the extra flag that is not blocked. Refills and exhausted
     * slices do not move an sdom in the ring (only blocking does), so nobody loses its place in the
     * round; when extra time is handed out the run heap is empty, so every member is eligible.
     * The cursor holds the turn.
     */
    private Sdom<T> extraCursor;
    private long extraBudgetNs;

    @SuppressWarnings("unchecked")
    private Sdom<T>[] wakes = (Sdom<T>[]) new Sdom[16];
    private int wakeCount;

    // ---- the last decision
    private Sdom<T> current;
    private boolean currentExtra;
    private ActivationReason reason;
    private long allocationEndNs = NEVER;
    private long nextTimerNs = NEVER;
    private long lastNowNs = Long.MIN_VALUE;

    private PeriodListener<? super T> periodListener;

    /** Called at the end of every period of an sdom, with the guaranteed time it used in it. */
    @FunctionalInterface
    public interface PeriodListener<T> {
        void periodEnded(Sdom<? extends T> sdom, long periodStartNs, long periodEndNs, long guaranteedNs);
    }

    public Atropos(Flavour flavour) {
        this(flavour, DEFAULT_CAP_PPB);
    }

    /**
     * @param capPpb the admission cap: the most the slices of admitted reservations may add up to,
     *               in parts per billion of the resource (1e9 = all of it)
     */
    public Atropos(Flavour flavour, long capPpb) {
        if (capPpb <= 0 || capPpb > Qos.PPB) {
            throw new IllegalArgumentException("admission cap must be in (0, 1e9] ppb: " + capPpb);
        }
        this.flavour = flavour;
        this.capPpb = capPpb;
    }

    public void periodListener(PeriodListener<? super T> listener) {
        this.periodListener = listener;
    }

    public Flavour flavour() {
        return flavour;
    }

    // ------------------------------------------------------------------------------------------
    // Admission and QoS control (DomainMgr$AddContracted, QoSCtl$SetQoS)
    // ------------------------------------------------------------------------------------------

    /**
     * Admits a reservation. The new sdom starts a period now: deadline {@code now + period}, a full
     * slice, on the run heap (or the wait heap if its slice is 0).
     *
     * @throws AdmissionException if the slices would add up to more than the cap; nothing changes
     */
    public Sdom<T> admit(T owner, Qos qos, long nowNs) throws AdmissionException {
        long want = qos.shareppb();
        checkAdmission(want, 0, qos);
        Sdom<T> s = new Sdom<>(nextId++, owner, qos);
        admittedPpb += want;
        s.remainNs = qos.sliceNs();
        s.prevDeadlineNs = nowNs;
        s.deadlineNs = nowNs + qos.periodNs();
        s.acLastPeriodNs = nowNs;
        s.state = s.remainNs > 0 ? SchedState.RUN : SchedState.WAIT;
        requeue(s);
        if (qos.extra()) {
            ringInsert(s);
        }
        return s;
    }

    /**
     * Admits a reservation whose holder has nothing to do yet (a transmit channel with an empty
     * queue, as {@code QoSEntry$Bind} leaves it): blocked with no timeout until {@link #wake}, which
     * then gives it a full slice at once.
     */
    public Sdom<T> admitIdle(T owner, Qos qos, long nowNs) throws AdmissionException {
        long want = qos.shareppb();
        checkAdmission(want, 0, qos);
        Sdom<T> s = new Sdom<>(nextId++, owner, qos);
        admittedPpb += want;
        s.remainNs = 0;
        s.prevDeadlineNs = nowNs;
        s.deadlineNs = nowNs;
        s.acLastPeriodNs = nowNs;
        s.timeoutNs = NEVER;
        s.state = SchedState.BLOCK;
        blocked.add(s);
        return s;
    }

    /**
     * Changes a reservation at run time. Like {@code QoSCtl$SetQoS}, the current deadline and
     * remaining time are left alone; the new period and slice apply from the next refill.
     */
    public void setQos(Sdom<T> s, Qos qos) throws AdmissionException {
        requireLive(s);
        long want = qos.shareppb();
        checkAdmission(want, s.sharePpb, qos);
        admittedPpb += want - s.sharePpb;
        s.qos = qos;
        s.sharePpb = want;
        if (s.inRing && !qos.extra()) {
            ringRemove(s);
        } else if (!s.inRing && qos.extra() && s.state != SchedState.BLOCK) {
            ringInsert(s);
        }
    }

    /** Removes an sdom for good and returns its share to the pool. */
    public void remove(Sdom<T> s) {
        if (s.state == SchedState.GONE) {
            return;
        }
        dequeue(s);
        if (s.inRing) {
            ringRemove(s);
        }
        if (s.wakePending) {
            for (int i = 0; i < wakeCount; i++) {
                if (wakes[i] == s) {
                    System.arraycopy(wakes, i + 1, wakes, i, wakeCount - i - 1);
                    wakes[--wakeCount] = null;
                    break;
                }
            }
            s.wakePending = false;
        }
        s.state = SchedState.GONE;
        admittedPpb -= s.sharePpb;
        if (current == s) {
            current = null;
        }
    }

    private void checkAdmission(long wantPpb, long releasedPpb, Qos qos) throws AdmissionException {
        long free = capPpb - (admittedPpb - releasedPpb);
        if (wantPpb > free) {
            throw new AdmissionException(String.format(
                    "reservation of %s per %s (%s) does not fit: %s free of the %s cap (%s reserved)",
                    Units.formatNs(qos.sliceNs()), Units.formatNs(qos.periodNs()), Units.percent(wantPpb),
                    Units.percent(Math.max(0, free)), Units.percent(capPpb),
                    Units.percent(admittedPpb - releasedPpb)),
                    wantPpb, Math.max(0, free), capPpb);
        }
    }

    /** The sum of admitted slices/periods, in parts per billion. */
    public long admittedPpb() {
        return admittedPpb;
    }

    public long capPpb() {
        return capPpb;
    }

    // ------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------

    /**
     * An event arrived for {@code s}. If it is blocked it is woken at the next pass (the release
     * queues it in {@code domq} the same way); otherwise nothing happens here.
     *
     * @return true if {@code s} is blocked, so a pass is due
     */
    public boolean wake(Sdom<T> s) {
        if (s.state != SchedState.BLOCK) {
            return false;
        }
        if (!s.wakePending) {
            if (wakeCount == wakes.length) {
                wakes = Arrays.copyOf(wakes, wakeCount * 2);
            }
            wakes[wakeCount++] = s;
            s.wakePending = true;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // The pass
    // ------------------------------------------------------------------------------------------

    /**
     * One pass of the scheduler.
     *
     * @param nowNs     the time; never earlier than at the previous pass
     * @param ranNs     how long the current sdom ran since it was chosen (CPU: the time since the
     *                  last pass; transmit: the wire time of what it sent); 0 if none was current
     * @param block     whether the current sdom asks to block
     * @param wakeAtNs  when a blocking sdom wants to be woken without an event ({@link #NEVER}: never)
     * @return the sdom to run, or null to idle until {@link #nextTimerNs()} or a wake-up
     */
    public Sdom<T> schedule(long nowNs, long ranNs, boolean block, long wakeAtNs) {
        if (nowNs < lastNowNs) {
            throw new IllegalArgumentException("time went backwards: " + nowNs + " < " + lastNowNs);
        }
        if (ranNs < 0) {
            throw new IllegalArgumentException("ran for a negative time: " + ranNs);
        }
        lastNowNs = nowNs;
        deschedule(nowNs, ranNs, block, wakeAtNs);
        refill(nowNs);
        wakeUp(nowNs);
        choose(nowNs);
        return current;
    }

    private void deschedule(long now, long ran, boolean block, long wakeAt) {
        Sdom<T> cur = current;
        current = null;
        if (cur == null) {
            return;
        }
        cur.lastDescheduledNs = now;
        if (!currentExtra) {
            cur.remainNs -= ran;
            cur.acThisPeriodNs += ran;
            if (!block && cur.remainNs <= 0) {
                if (now > cur.deadlineNs) {
                    cur.lateSlices++;
                }
                dequeue(cur);
                cur.state = SchedState.WAIT;
                requeue(cur);
            }
        } else {
            cur.acExtraNs += ran;
            extraBudgetNs -= ran;
        }
        if (block) {
            dequeue(cur);
            if (cur.inRing) {
                ringRemove(cur);
            }
            cur.timeoutNs = wakeAt;
            cur.state = SchedState.BLOCK;
            blocked.add(cur);
        }
    }

    private void refill(long now) {
        while (!wait.isEmpty() && wait.headKey() <= now) {
            Sdom<T> s = wait.poll();
            Qos q = s.qos;
            // A remainder left by a short block can't be trusted: replace it. A debt carries over.
            if (s.remainNs > 0) {
                s.remainNs = q.sliceNs();
            } else {
                s.remainNs += q.sliceNs();
            }
            long periodStart = s.prevDeadlineNs;
            s.prevDeadlineNs = s.deadlineNs;
            s.deadlineNs += q.periodNs();
            if (s.unblockedIndex >= 0) {
                unblocked.remove(s);
            }
            s.state = s.remainNs > 0 ? SchedState.RUN : SchedState.WAIT;
            requeue(s);
            endOfPeriod(s, periodStart, s.prevDeadlineNs, now);
        }
    }

    private void wakeUp(long now) {
        for (int i = 0; i < wakeCount; i++) {
            Sdom<T> s = wakes[i];
            wakes[i] = null;
            s.wakePending = false;
            if (s.state == SchedState.BLOCK) {
                blocked.remove(s);
                unblock(s, now, ActivationReason.EVENT);
            }
        }
        wakeCount = 0;
        while (!blocked.isEmpty() && blocked.headKey() <= now) {
            unblock(blocked.poll(), now, ActivationReason.REACTIVATED);
        }
    }

    private void unblock(Sdom<T> s, long now, ActivationReason why) {
        s.timeoutNs = NEVER;
        s.pendingWakeReason = why;
        Qos q = s.qos;
        if (s.deadlineNs < now) {
            // Long block: its period is over. Start a new one, with an early deadline from the
            // latency hint so that a domain waking after a long sleep is served promptly.
            long periodStart = s.prevDeadlineNs;
            long periodEnd = s.deadlineNs;
            s.prevDeadlineNs = now;
            s.deadlineNs = now + (flavour.longUnblockUsesLatency() ? q.latencyNs() : q.periodNs());
            s.remainNs = q.sliceNs();
            s.state = s.remainNs > 0 ? SchedState.RUN : SchedState.WAIT;
            endOfPeriod(s, periodStart, periodEnd, now);
        } else if (flavour.shortUnblockKeepsRemain()) {
            s.state = s.remainNs > 0 ? SchedState.UNBLOCKED : SchedState.WAIT;
        } else {
            // qosentry.c: "throw away its remaining time to protect the innocent" (a debt too).
            s.remainNs = 0;
            s.state = SchedState.WAIT;
        }
        requeue(s);
        if (q.extra()) {
            ringInsert(s);
        }
    }

    private void choose(long now) {
        Sdom<T> s = run.peek();
        long end;
        if (s != null) {
            currentExtra = false;
            end = now + s.remainNs;
            reason = s.prevDeadlineNs > s.lastScheduledNs ? ActivationReason.ALLOCATED : ActivationReason.PREEMPTED;
        } else if ((s = unblocked.peek()) != null) {
            currentExtra = false;
            end = now + s.remainNs;
            reason = ActivationReason.PREEMPTED;
        } else if ((s = nextExtra()) != null) {
            currentExtra = true;
            end = now + extraBudgetNs;
            reason = ActivationReason.EXTRA;
        } else {
            end = NEVER;
            reason = null;
        }
        if (s != null) {
            if (s.pendingWakeReason != null) {
                reason = s.pendingWakeReason;
                s.pendingWakeReason = null;
            }
            s.lastScheduledNs = now;
        }
        current = s;
        allocationEndNs = end;
        nextTimerNs = Math.min(end, Math.min(wait.headKey(), blocked.headKey()));
    }

    private Sdom<T> nextExtra() {
        if (extraCursor == null) {
            return null;
        }
        if (extraBudgetNs <= 0) {
            extraCursor = extraCursor.ringNext;
            extraBudgetNs = flavour.extraQuantumNs();
        }
        return extraCursor;
    }

    private void endOfPeriod(Sdom<T> s, long periodStart, long periodEnd, long now) {
        long used = s.acThisPeriodNs;
        s.acGuaranteedNs += used;
        s.acThisPeriodNs = 0;
        s.acLastPeriodNs = now;
        s.periods++;
        if (periodListener != null) {
            periodListener.periodEnded(s, periodStart, periodEnd, used);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Queues
    // ------------------------------------------------------------------------------------------

    private void requeue(Sdom<T> s) {
        switch (s.state) {
            case RUN -> run.add(s);
            case WAIT -> wait.add(s);
            case UNBLOCKED -> {
                wait.add(s);
                unblocked.add(s);
            }
            case BLOCK, GONE -> throw new IllegalStateException("cannot requeue " + s);
        }
    }

    private void dequeue(Sdom<T> s) {
        switch (s.state) {
            case RUN -> run.remove(s);
            case WAIT, UNBLOCKED -> {
                wait.remove(s);
                if (s.unblockedIndex >= 0) {
                    unblocked.remove(s);
                }
            }
            case BLOCK -> blocked.remove(s);
            case GONE -> {
            }
        }
    }

    /** Joins the extra ring at the end of the current round (just before the turn holder). */
    private void ringInsert(Sdom<T> s) {
        s.inRing = true;
        Sdom<T> c = extraCursor;
        if (c == null) {
            s.ringNext = s;
            s.ringPrev = s;
            extraCursor = s;
            extraBudgetNs = flavour.extraQuantumNs();
            return;
        }
        s.ringNext = c;
        s.ringPrev = c.ringPrev;
        c.ringPrev.ringNext = s;
        c.ringPrev = s;
    }

    private void ringRemove(Sdom<T> s) {
        s.inRing = false;
        if (s.ringNext == s) {
            extraCursor = null;
        } else {
            s.ringPrev.ringNext = s.ringNext;
            s.ringNext.ringPrev = s.ringPrev;
            if (extraCursor == s) {
                // Its turn ends with it; the next one in the ring starts a fresh quantum.
                extraCursor = s.ringNext;
                extraBudgetNs = flavour.extraQuantumNs();
            }
        }
        s.ringNext = null;
        s.ringPrev = null;
    }

    private void requireLive(Sdom<T> s) {
        if (s.state == SchedState.GONE) {
            throw new IllegalStateException("sdom was removed: " + s);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The decision, for the caller
    // ------------------------------------------------------------------------------------------

    /** The sdom chosen by the last pass, null if idle. */
    public Sdom<T> current() {
        return current;
    }

    /** Whether the current sdom runs on extra time (else on its guaranteed slice). */
    public boolean currentIsExtra() {
        return currentExtra;
    }

    /** Why the current sdom was chosen. */
    public ActivationReason reason() {
        return reason;
    }

    /** When the current sdom's allocation (slice remainder or extra quantum) runs out. */
    public long allocationEndNs() {
        return allocationEndNs;
    }

    /** When the next pass is due without any event: allocation end, next refill or next timeout. */
    public long nextTimerNs() {
        return nextTimerNs;
    }

    public int runnableCount() {
        return run.size();
    }

    public int waitingCount() {
        return wait.size();
    }

    public int blockedCount() {
        return blocked.size();
    }
}

package nemesis.kernel;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Wall-clock time from {@link System#nanoTime()}, counted from the start of the run. Until the run
 * starts it reads 0: what waits for a time (a real peer's service with a start time) waits for the
 * run, however long setting up takes.
 */
public final class RealClock implements Clock {
    /** Park this much short of a deadline and spin the rest: parking wakes late by tens of microseconds. */
    private static final long SPIN_MARGIN_NS = 200_000L;
    private volatile boolean started;
    private volatile long originNs;

    @Override
    public long nowNs() {
        return started ? System.nanoTime() - originNs : 0;
    }

    /** Whether the run has started (its time 0 has passed). */
    public boolean isStarted() {
        return started;
    }

    /**
     * Time 0 is now: the kernel calls this when its run starts, so that setting up (a network
     * namespace, processes of a real peer) does not eat into the run.
     */
    void restart() {
        originNs = System.nanoTime();
        started = true;
    }

    @Override
    public boolean isVirtual() {
        return false;
    }

    /** Burns CPU until {@code tNs} or until {@code stop} answers true; returns the time reached. */
    long spinUntil(long tNs, BooleanSupplier stop) {
        long now = nowNs();
        while (now < tNs && !stop.getAsBoolean()) {
            Thread.onSpinWait();
            now = nowNs();
        }
        return now;
    }

    /** Waits without burning CPU until {@code tNs} or until {@code stop} answers true. */
    long idleUntil(long tNs, BooleanSupplier stop) {
        long now = nowNs();
        while (now < tNs && !stop.getAsBoolean()) {
            long left = tNs - now;
            if (left > SPIN_MARGIN_NS) {
                LockSupport.parkNanos(this, left - SPIN_MARGIN_NS);
            } else {
                Thread.onSpinWait();
            }
            now = nowNs();
        }
        return now;
    }
}

package nemesis.kernel;

import java.util.ArrayList;

/**
 * An event count (Reed and Kanodia): a value that only grows, and threads that wait for it to reach
 * a target. It belongs to one domain; only that domain's threads await or advance it directly.
 * Other domains advance it through an {@link EventChannel}, which goes through the kernel.
 */
public final class EventCount {
    final Domain owner;
    private final String name;
    long value;
    final ArrayList<UThread> waiters = new ArrayList<>(2);
    /** Where this count is queued when it advances (see {@link EventQueue}); null if nowhere. */
    EventQueue queue;
    boolean queued;

    EventCount(Domain owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Domain owner() {
        return owner;
    }

    /** The current value. */
    public long read() {
        return value;
    }

    /** Advances the value by {@code n} (a thread of the owning domain), readying waiters it satisfies. */
    public void advance(long n) {
        owner.kernel.checkCaller(owner);
        bump(n);
    }

    /**
     * Blocks the calling thread until the value reaches {@code target} or {@code untilNs} passes.
     *
     * @return true if the value reached the target, false on timeout
     */
    public boolean await(long target, long untilNs) {
        return owner.kernel.await(owner, this, target, untilNs);
    }

    /** Blocks the calling thread until the value reaches {@code target}. */
    public void await(long target) {
        await(target, Kernel.NEVER);
    }

    /** Adds to the value and readies the waiters it satisfies; the caller checked who may do it. */
    void bump(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("event counts only grow: " + n);
        }
        value += n;
        if (queue != null && n > 0) {
            queue.offer(this);
        }
        for (int i = waiters.size() - 1; i >= 0; i--) {
            UThread u = waiters.get(i);
            if (u.waitTarget <= value) {
                owner.endWait(u, true);
            }
        }
    }

    @Override
    public String toString() {
        return owner.name() + "." + name + "=" + value;
    }
}

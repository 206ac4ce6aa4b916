package nemesis.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * A user-level thread of a domain, played by a JDK virtual thread.
 *
 * <p>The virtual thread runs only while it holds the CPU baton: it parks in {@link #awaitBaton()}
 * until another thread hands it over with {@link #giveBaton()}. The volatile {@code go} flag is the
 * hand-over: everything the giver wrote before setting it is visible to the taker after it reads it,
 * so kernel state needs no locks (only one thread ever holds the baton).
 */
public final class UThread {
    enum State { READY, RUNNING, WAITING, DONE }

    final Domain domain;
    final String name;
    final Thread thread;
    private volatile boolean go;
    /** Set (before the baton is given) to make the thread unwind at its next resumption. */
    boolean dying;

    // ---- user-level scheduler state: touched only by the baton holder
    State state = State.READY;
    EventCount waitCount;
    long waitTarget;
    long waitUntilNs = Kernel.NEVER;
    boolean waitSatisfied;
    /** Advanced by one when the thread ends, for {@link #join}. */
    final EventCount done;

    UThread(Domain domain, String name, Runnable body) {
        this.domain = domain;
        this.name = name;
        this.done = new EventCount(domain, name + ".done");
        this.thread = Thread.ofVirtual().name(domain.name() + "/" + name).unstarted(body);
    }

    public String name() {
        return name;
    }

    public Domain domain() {
        return domain;
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    /**
     * Waits (as a thread of the same domain) until this thread has ended or {@code untilNs} passes.
     *
     * @return true if it ended
     */
    public boolean join(long untilNs) {
        return done.await(1, untilNs);
    }

    void giveBaton() {
        go = true;
        LockSupport.unpark(thread);
    }

    /** Parks until given the baton. Throws {@link DomainDeath} if the thread is to unwind. */
    void awaitBaton() {
        while (!go) {
            LockSupport.park(this);
        }
        go = false;
        if (dying) {
            throw DomainDeath.INSTANCE;
        }
    }

    @Override
    public String toString() {
        return domain.name() + "/" + name + "(" + state + ")";
    }
}

package nemesis.kernel;

/**
 * Mutual exclusion among the threads of one domain, made as Reed and Kanodia did it from a
 * {@link Sequencer} and an {@link EventCount}: take a ticket, wait for the count to reach it, and
 * advance the count when done. Threads enter in ticket order. A domain's threads are not preempted
 * by each other, so a lock is needed only around code that may block while holding shared state.
 */
public final class Mutex {
    private final Sequencer tickets;
    private final EventCount turn;
    private long held = -1;

    Mutex(Domain owner, String name) {
        this.tickets = new Sequencer(owner);
        this.turn = new EventCount(owner, name);
    }

    public void lock() {
        long t = tickets.ticket();
        turn.await(t);
        held = t;
    }

    public void unlock() {
        if (held < 0) {
            throw new IllegalStateException("unlock of a mutex that is not held");
        }
        held = -1;
        turn.advance(1);
    }

    public boolean isLocked() {
        return held >= 0;
    }
}

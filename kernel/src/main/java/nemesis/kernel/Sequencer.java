package nemesis.kernel;

/**
 * A sequencer (Reed and Kanodia): hands out tickets in order. With an {@link EventCount} it gives
 * mutual exclusion among a domain's threads: take a ticket, await the count reaching it, work,
 * advance the count.
 */
public final class Sequencer {
    private final Domain owner;
    private long next;

    Sequencer(Domain owner) {
        this.owner = owner;
    }

    /** The next ticket: 0, 1, 2, ... */
    public long ticket() {
        owner.kernel.checkCaller(owner);
        return next++;
    }

    public long read() {
        return next;
    }
}

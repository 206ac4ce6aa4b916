package nemesis.atropos;

/** Where a scheduling domain stands, with the names {@code atropos.c} gives them. */
public enum SchedState {
    /** Has guaranteed time left in this period; on the run heap (EDF). */
    RUN,
    /** No guaranteed time left (or, transmit flavour, a short block): on the wait heap until its deadline. */
    WAIT,
    /** Blocked; on the blocked heap, ordered by wake-up timeout. */
    BLOCK,
    /**
     * Woke from a short block with time left (CPU flavour only): on the wait heap, runs when the
     * run heap is empty, before anyone runs on extra time.
     */
    UNBLOCKED,
    /** Removed from the scheduler. */
    GONE
}

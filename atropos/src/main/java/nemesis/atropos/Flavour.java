package nemesis.atropos;

/**
 * What differs between the two Atropos schedulers of Nemesis. Everything else (EDF over the run
 * heap, refill at the deadline with debt carried over, the blocked heap, extra time round-robin)
 * is one core, {@link Atropos}.
 *
 * @param extraQuantumNs        how much extra time one holder gets before the turn moves on
 *                              (CPU: {@code BESTEFFORT_QUANTUM} = 1 ms in {@code atropos.c};
 *                              transmit: 20 ms in {@code qosentry.c})
 * @param shortUnblockKeepsRemain true (CPU): a domain woken before its deadline keeps what is left
 *                              of its slice and is preferred to extra time ({@link SchedState#UNBLOCKED});
 *                              false (transmit): the remainder (or a debt) is discarded and it
 *                              waits for its next period
 * @param longUnblockUsesLatency true (CPU): after a long block the new deadline is now + latency hint;
 *                              false (transmit): now + period
 */
public record Flavour(String name, long extraQuantumNs, boolean shortUnblockKeepsRemain,
                      boolean longUnblockUsesLatency) {

    /** The CPU scheduler of {@code ntsc/generic/atropos.c}. */
    public static final Flavour CPU = new Flavour("cpu", 1_000_000L, true, true);

    /** The transmit scheduler of the network driver ({@code QoSEntry}). */
    public static final Flavour TRANSMIT = new Flavour("transmit", 20_000_000L, false, false);

    public Flavour {
        if (extraQuantumNs <= 0) {
            throw new IllegalArgumentException("extra quantum must be > 0 ns: " + extraQuantumNs);
        }
    }
}

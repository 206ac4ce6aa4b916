/**
 * Atropos: the Nemesis reservation scheduler, as pure algorithms.
 *
 * <p>Read this first: {@code ../shared/reference/nemesis-source-digest.md} §1 (CPU, from
 * {@code ntsc/generic/atropos.c}) and §2 (transmit, from {@code mod/nemesis/qosentry/qosentry.c}),
 * and the paper "Scheduling TCP in the Nemesis Operating System" §2.
 *
 * <p>Nothing here knows threads, clocks or I/O: every call takes the time as an argument
 * ({@code nowNs}) and the scheduler answers with a choice and the time of its next decision
 * ({@link nemesis.atropos.Atropos#nextTimerNs()}). The same core serves both flavours; a
 * {@link nemesis.atropos.Flavour} holds what differs between the CPU scheduler and the driver's
 * transmit scheduler.
 *
 * <p>All times are nanoseconds in a {@code long}; {@link nemesis.atropos.Atropos#NEVER} is "no time".
 */
package nemesis.atropos;

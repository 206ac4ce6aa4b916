package nemesis.kernel;

/**
 * The time of the emulated machine, in nanoseconds since the start of the run.
 *
 * <p>{@link VirtualClock}: time moves only when the kernel moves it (CPU consumed, or a jump to the
 * next event when nothing is runnable), so runs are exactly repeatable. {@link RealClock}: the wall
 * clock; consuming CPU spins and idling parks.
 */
public sealed interface Clock permits VirtualClock, RealClock {

    long nowNs();

    boolean isVirtual();

    /** "virtual" or "real", as in the scenario file. */
    default String kind() {
        return isVirtual() ? "virtual" : "real";
    }
}

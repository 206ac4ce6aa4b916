package nemesis.drivers.sim;

/**
 * How a simulated device asks for time to pass: run {@code action} at {@code timeNs}. In the
 * emulator this is {@code nemesis.kernel.Kernel::at}; in tests, a {@link ManualTimeline}.
 *
 * <p>Contract the devices rely on: actions run in order of time, actions of equal time in the
 * order they were registered, and never before their time (they may run late on a real clock; a
 * device passes its own model time to its callbacks, not the time it was woken). An action may
 * register further actions, including at the current time. There is no cancel: a device that
 * changes its mind ignores the alarm when it comes.
 */
@FunctionalInterface
public interface Timeline {
    void at(long timeNs, Runnable action);
}

/**
 * The emulated machine: a clock, one virtual CPU, domains with user-level threads, event counts
 * and event channels, the cost model, accounting and the schedule trace.
 *
 * <p>Read this first: {@code ../shared/design/architecture.md} ("Time and the virtual CPU") and
 * {@link nemesis.kernel.Kernel}'s class comment, which explains how JDK virtual threads are handed the
 * CPU like a baton so that exactly one domain thread runs at a time.
 *
 * <p>The kernel knows no packets: devices appear only as {@linkplain nemesis.kernel.Kernel#at alarms}
 * and {@linkplain nemesis.kernel.Kernel#postInterrupt interrupts} that send events to domains.
 */
package nemesis.kernel;

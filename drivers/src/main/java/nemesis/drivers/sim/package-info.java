/**
 * The simulated wire between the emulated Nemesis host and a simulated peer.
 *
 * <p>Read {@link nemesis.drivers.sim.EthernetLink} first: timing, faults, capture point and who
 * owns a {@link nemesis.drivers.sim.Frame} when. Everything here is pure and deterministic: no
 * threads, no clock, no kernel; time arrives as arguments and through a
 * {@link nemesis.drivers.sim.Timeline} ({@code Kernel::at} in the emulator,
 * {@link nemesis.drivers.sim.ManualTimeline} in tests).
 */
package nemesis.drivers.sim;

/**
 * A network card over a real Linux TAP device, so that the emulated Nemesis host can talk to a
 * real Linux kernel: {@link nemesis.drivers.tap.TapNic} is a {@link nemesis.drivers.Nic} like the
 * simulated card, for a kernel on the wall clock.
 *
 * <ul>
 * <li>{@link nemesis.drivers.tap.Libc}: the few system calls, through the FFM API (run with
 *     {@code --enable-native-access=ALL-UNNAMED}).
 * <li>{@link nemesis.drivers.tap.TunTap}: makes a TAP device ({@code IFF_TAP | IFF_NO_PI}); closing
 *     it removes the device.
 * <li>{@link nemesis.drivers.tap.NetNamespace}: a network namespace ({@code nemesis-*}) for Linux's
 *     end, so that nothing the emulator sends reaches a real network; moves the TAP into it and
 *     configures it (address, IPv6 off, up).
 * <li>{@link nemesis.drivers.tap.TapNic}: the card: a writer thread that paces frames onto the TAP at
 *     the emulated line rate, a reader thread, faults in both directions (as the simulated link's,
 *     with {@link nemesis.drivers.sim.WireFaults}), a capture at the TAP.
 * </ul>
 *
 * <p>Setting one up (root needed), the order matters on the way down too:
 * <pre>{@code
 * NetNamespace ns = NetNamespace.create("nemesis-peer");
 * TunTap tap = TunTap.create("nmt0");
 * ns.adopt(tap.name(), "198.51.100.2/24", 0);          // Linux at .2, the emulated host at .1
 * TapNic nic = new TapNic("nic0", tap, mac, 1500, 31, 64, kernel, 10_000_000L, 24, Faults.NONE, seed, capture);
 * nic.start();
 * kernel.run(...);
 * nic.close(); tap.close(); ns.close();                 // in finally blocks
 * }</pre>
 *
 * <p>What Linux sends on a fresh TAP: with IPv6 on, MLDv2 reports, duplicate-address-detection
 * neighbour solicitations and a router solicitation within a second or two of the device coming
 * up; with IPv6 off ({@link nemesis.drivers.tap.NetNamespace#adopt} turns it off), nothing at all
 * until it has something to say. Linux does not learn a neighbour from IP traffic: to answer the
 * emulated host it first sends an ARP request, unless the host's ARP request came first.
 */
package nemesis.drivers.tap;

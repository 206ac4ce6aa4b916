/**
 * The simulated peer ({@link nemesis.inet.peer.SimPeer}): a {@link nemesis.inet.host.HostStack}
 * at end B of the simulated Ethernet, running the services a scenario's {@code peer.services}
 * declares ({@link nemesis.inet.peer.PeerService}), reporting their figures for the results.
 * {@link nemesis.inet.peer.SimNetwork} wires a whole network (card, driver and flow manager
 * domains, link, peer) into a kernel, for tests and tools.
 */
package nemesis.inet.peer;

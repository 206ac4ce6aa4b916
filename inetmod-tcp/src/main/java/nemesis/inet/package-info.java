/**
 * InetMod, the protocol library each domain links, and its pure cores.
 *
 * <p>Read first: RFC 826 (ARP), RFC 791 §2.3 and §3.2 (fragmentation and reassembly), RFC 1122
 * §2.3.2 and §3.3.2 (what a host must do about both), RFC 6864 (the identification field).
 *
 * <p>The cores here ({@link nemesis.inet.ArpCache}, {@link nemesis.inet.Ipv4Fragmenter},
 * {@link nemesis.inet.Ipv4Reassembler}) know no threads and no clock: every call takes the time
 * ({@code nowNs}), and each answers {@code nextTimerNs()} ({@code Long.MAX_VALUE}: none) so the
 * caller's loop knows when to call {@code expire(nowNs)}. Buffers belong to the caller: held
 * packets are opaque {@code long} handles, reassembly buffers come from a {@link nemesis.inet.BufferSource}.
 *
 * <p>The client library a domain links: {@link nemesis.inet.InetMod} (one per domain: the flow
 * manager binding, the cache of resolved Ethernet addresses), {@link nemesis.inet.UdpSocket} and
 * {@link nemesis.inet.Pinger} (one flow each: the domain's own channels to the driver, its own
 * transmit reservation). Their protocol work is pure and testable on its own:
 * {@link nemesis.inet.UdpOutput} (headers and fragments out), {@link nemesis.inet.Ipv4Input} and
 * {@link nemesis.inet.UdpInput} (frames in, checked, reassembled, every drop counted by reason).
 * Read RFC 768 (UDP), RFC 792 (ICMP) and RFC 1122 §3.2.2, §4.1 too. {@link nemesis.inet.Pattern},
 * {@link nemesis.inet.SequenceTracker} and {@link nemesis.inet.SinkMeter} are what senders and sinks
 * (here and on the peer) agree on.
 */
package nemesis.inet;

/**
 * InetMod's own wire formats: ARP (RFC 826), ICMP (RFC 792), UDP (RFC 768) and TCP (RFC 9293,
 * with its options: {@link nemesis.inet.wire.TcpHeader}; {@link nemesis.inet.wire.TcpHeaderOut}
 * writes headers, {@link nemesis.inet.wire.TcpChecksum} sums them with payload pieces), as flyweights
 * following the conventions of {@code nemesis.wire} (wrap, validate to a reason enum, then read;
 * nothing allocates, nothing throws on bad bytes).
 */
package nemesis.inet.wire;

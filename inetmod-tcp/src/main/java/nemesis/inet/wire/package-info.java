/**
 * InetMod's own wire formats: ARP (RFC 826), ICMP (RFC 792) and UDP (RFC 768), as flyweights
 * following the conventions of {@code nemesis.wire} (wrap, validate to a reason enum, then read;
 * nothing allocates, nothing throws on bad bytes).
 */
package nemesis.inet.wire;

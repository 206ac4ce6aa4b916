/**
 * Wire formats the network driver may know: Ethernet II, IPv4, and the two ports that open a
 * TCP or UDP header, as flyweights over off-heap memory, plus the Internet checksum.
 *
 * <p>Read first: RFC 791 §3.1 (IPv4 header), RFC 894 (IPv4 over Ethernet), RFC 1071 and RFC 1624
 * (the checksum and its incremental update). Protocol logic (ARP, ICMP, UDP, TCP, fragmentation)
 * lives in {@code inetmod-tcp}: this package knows no TCP beyond its ports.
 *
 * <p>Conventions, shared by {@code nemesis.inet.wire}:
 * <ul>
 *   <li>A flyweight is mutable and reusable: {@code wrap(segment, offset, length)} returns it;
 *       accessors read at {@code offset + k}. Nothing allocates per packet.</li>
 *   <li>Bytes from the wire are never trusted: {@code check()}/{@code validate()} returns a reason
 *       (an enum) without throwing, and accessors may be used only after it said {@code OK}.
 *       Only programming errors throw (a negative length, an invalid value given to a setter).</li>
 *   <li>Network byte order through {@link nemesis.wire.BigEndian}; IPv4 addresses are {@code int},
 *       MAC addresses the low 48 bits of a {@code long} ({@link nemesis.wire.Ipv4Address},
 *       {@link nemesis.wire.MacAddress} parse and format them).</li>
 *   <li>Offsets returned by accessors ({@code payloadOffset()}) are absolute offsets in the segment.</li>
 * </ul>
 */
package nemesis.wire;

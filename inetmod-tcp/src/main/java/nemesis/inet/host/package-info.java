/**
 * A conventional host's network stack ({@link nemesis.inet.host.HostStack}): no Nemesis
 * scheduling, one protocol stack for the whole host, as the peer at the far end of the wire runs
 * it. Pure — frames and time in, frames out through a {@link nemesis.inet.host.FrameSink} — so it
 * runs under the simulated peer's alarms today and can be driven by anything that delivers frames.
 */
package nemesis.inet.host;

package nemesis.scenario;

import java.util.List;

/**
 * The scenario's {@code peer}: the host at the other end of the link.
 *
 * @param kind     {@code sim} (a simulated conventional host) or {@code tap} (the Linux kernel in a
 *                 network namespace, over a TAP device, in real time)
 * @param profile  {@code profile}: how the peer behaves as a TCP receiver (linux, sunos, netbsd)
 * @param services {@code services}: what it runs
 */
public record PeerSpec(String kind, String profile, List<Service> services) {

    /**
     * One of {@code services}: {@code { program: udp_sink, port: 5001, verify: pattern }}.
     *
     * @param port       where a sink or echo listens; for {@code tcp_send} and {@code iperf_client},
     *                   the Nemesis host's port they connect to; 0 for {@code ping}
     * @param verify     sinks: {@code pattern} or {@code none}
     * @param profile    {@code tcp_sink} of a simulated peer: the receiver this port plays (null: the peer's profile)
     * @param bytes      {@code tcp_send}: bytes to send, then close (0: until the run ends)
     * @param startNs    {@code tcp_send}, {@code iperf_client}, {@code ping}: when it starts
     * @param pattern    {@code tcp_send}: send the verifiable byte pattern
     * @param durationNs {@code iperf_client}: how long it sends (default 10 s)
     * @param count      {@code ping}: echo requests (default 10)
     * @param intervalNs {@code ping}: between requests (default 1 s)
     * @param size       {@code ping}: data bytes per request (default 56)
     */
    public record Service(String program, int port, String verify, String profile, long bytes, long startNs,
                          boolean pattern, long durationNs, int count, long intervalNs, int size) {
        /** A sink or an echo with the peer's profile. */
        public Service(String program, int port, String verify) {
            this(program, port, verify, null, 0, 0, true);
        }

        public Service(String program, int port, String verify, String profile, long bytes, long startNs,
                       boolean pattern) {
            this(program, port, verify, profile, bytes, startNs, pattern, 10_000_000_000L, 10, 1_000_000_000L, 56);
        }
    }
}

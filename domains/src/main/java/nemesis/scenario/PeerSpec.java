package nemesis.scenario;

import java.util.List;

/**
 * The scenario's {@code peer}: the host at the other end of the link.
 *
 * @param kind     {@code sim} (a simulated conventional host)
 * @param profile  {@code profile}: how the peer behaves as a TCP receiver (linux, sunos, netbsd)
 * @param services {@code services}: what it runs
 */
public record PeerSpec(String kind, String profile, List<Service> services) {

    /**
     * One of {@code services}: {@code { program: udp_sink, port: 5001, verify: pattern }}.
     *
     * @param port    where a sink or echo listens; for {@code tcp_send}, the Nemesis host's port it connects to
     * @param verify  sinks: {@code pattern} or {@code none}
     * @param profile {@code tcp_sink}: the receiver this port plays (null: the peer's profile)
     * @param bytes   {@code tcp_send}: bytes to send, then close (0: until the run ends)
     * @param startNs {@code tcp_send}: when it connects
     * @param pattern {@code tcp_send}: send the verifiable byte pattern
     */
    public record Service(String program, int port, String verify, String profile, long bytes, long startNs,
                          boolean pattern) {
        /** A sink or an echo with the peer's profile. */
        public Service(String program, int port, String verify) {
            this(program, port, verify, null, 0, 0, true);
        }
    }
}

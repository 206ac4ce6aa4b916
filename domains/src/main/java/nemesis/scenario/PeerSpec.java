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

    /** One of {@code services}: {@code { program: udp_sink, port: 5001, verify: pattern }}. */
    public record Service(String program, int port, String verify) {
    }
}

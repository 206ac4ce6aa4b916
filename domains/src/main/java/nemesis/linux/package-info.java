/**
 * The Linux side of a TAP run ({@code peer.kind: tap}): the emulated Nemesis host (198.51.100.1)
 * reaches, over a TAP device, the Linux kernel in a network namespace of its own (198.51.100.2),
 * which plays the peer the simulated one otherwise plays.
 *
 * <ul>
 * <li>{@link nemesis.linux.LinuxNamespace}: the namespace ({@code nemesis-<pid>-<n>}): adopting
 *     the TAP device, threads and processes inside it, closing it with everything in it, and
 *     cleaning up what killed runs left ({@code nemesis tap cleanup}).</li>
 * <li>{@link nemesis.linux.LinuxServiceSpec} and {@link nemesis.linux.LinuxService}: the services
 *     a scenario's {@code peer.services} declares, run with the kernel's own TCP and UDP (sockets
 *     on namespace threads: tcp_sink, tcp_send, udp_sink, udp_echo) or standard tools (iperf 2's
 *     iperf_server and iperf_client, iputils' ping), with the simulated peer's figures where they
 *     measure the same; {@link nemesis.linux.LinuxPeer} holds them for a run.</li>
 * </ul>
 *
 * <p>Two things about namespaces and the JVM that the code here relies on, or works around:
 * {@code setns(2)} moves one thread, so a socket is in the namespace of the thread that created
 * it, and a process started by a thread inside starts inside; and {@code /proc/net} (and with it
 * the JDK's list of IPv6 interfaces) is the main thread's namespace's, whatever thread reads it:
 * {@code /proc/thread-self/net} is the calling thread's.
 */
package nemesis.linux;

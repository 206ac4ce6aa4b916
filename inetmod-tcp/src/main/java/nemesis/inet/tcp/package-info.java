/**
 * TCP as a pure protocol core, after 4.4BSD (Wright and Stevens, TCP/IP Illustrated Vol. 2) and
 * today's RFCs: {@link nemesis.inet.tcp.TcpConnection} is one connection's control block, input,
 * output and timers. Read RFC 9293, 5681, 6298, 6582, 7323, 2018, 6675, 5961 and 6528 first (the
 * class comment says where each applies).
 *
 * <h2>How it is used</h2>
 * Nothing here has a thread, a clock or a socket. The caller — the Nemesis shell in InetMod, or
 * {@link nemesis.inet.host.HostStack} on a conventional host — demultiplexes segments, validates
 * them ({@link nemesis.inet.wire.TcpHeader#validate}) and calls
 * {@link nemesis.inet.tcp.TcpConnection#input}; it calls
 * {@link nemesis.inet.tcp.TcpConnection#onTimer} at {@link nemesis.inet.tcp.TcpConnection#nextTimerNs};
 * it relays the application's calls ({@code connect}, {@code listen}, {@code send},
 * {@code receiveWindowOpened}, {@code shutdownOutput}, {@code close}, {@code abort}). Segments go out
 * through a {@link nemesis.inet.tcp.TcpOutput} as a header and a range of the application's
 * {@link nemesis.inet.tcp.SendStream}: the core never copies outgoing data and releases it only when
 * acknowledged. In-order data goes to the {@link nemesis.inet.tcp.ReceiveStream}; out-of-order data
 * waits in the connection's own bounded store.
 *
 * <h2>Timers</h2>
 * 4.4BSD's: a 200 ms fast tick for delayed ACKs, a 500 ms slow tick for the retransmit, persist,
 * keepalive, FIN-WAIT-2 and 2MSL timers, kept as exact absolute deadlines on those tick grids (see
 * {@link nemesis.inet.tcp.TcpConnection}); RTTs are measured exactly.
 *
 * <h2>Statistics</h2>
 * {@link nemesis.inet.tcp.TcpCounters}: every decision counted, every dropped segment by reason;
 * {@link nemesis.inet.tcp.TcpListener} sees every state transition.
 */
package nemesis.inet.tcp;

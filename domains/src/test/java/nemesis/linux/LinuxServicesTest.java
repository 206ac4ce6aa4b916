package nemesis.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import nemesis.inet.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Linux services against each other in one namespace, without the emulator: a veth pair
 * inside it with 198.51.100.1 on one end and .2 on the other, listeners on .1 (where the Nemesis
 * host would be), senders and tools on .2 (the Linux peer's address). Skipped unless root.
 */
class LinuxServicesTest {
    private static final Inet4Address HOST = LinuxService.NEMESIS_HOST;
    private static LinuxNamespace ns;
    private static final long T0 = System.nanoTime();
    /** The emulator's clock: nanoseconds since the run (here, the class) started. */
    private static final LongSupplier CLOCK = () -> System.nanoTime() - T0;

    @BeforeAll
    static void namespace() throws Exception {
        if (LinuxNamespace.unsupportedReason() != null) {
            return;
        }
        ns = LinuxNamespace.create();
        Root.vethInside(ns);
    }

    @AfterAll
    static void close() {
        if (ns != null) {
            ns.close();
            assertEquals(List.of(), ns.problems());
            assertFalse(java.nio.file.Files.exists(ns.path()));
        }
    }

    @BeforeEach
    void root() {
        Root.assumeSupported();
    }

    /** Senders and tools: on .2, reaching .1. */
    private static LinuxService.Context senders() throws Exception {
        return LinuxService.Context.tap(ns, CLOCK, 0).checked();
    }

    /** Listeners: on .1 (the Nemesis host's address, here inside the namespace too), counting from {@code measureFromNs}. */
    private static LinuxService.Context listeners(long measureFromNs) throws Exception {
        return new LinuxService.Context(ns, HOST, LinuxService.LINUX_PEER, CLOCK, measureFromNs).checked();
    }

    private static Object fig(LinuxService s, String key) {
        return s.figures().get(key);
    }

    @Test
    void tcpSendToTcpSinkDeliversEveryBytePatternVerified() throws Exception {
        long bytes = 8L << 20;
        long startNs = CLOCK.getAsLong() + 100_000_000L;
        LinuxService sink = LinuxService.create(new LinuxServiceSpec.TcpSink(5001, true), listeners(0));
        LinuxService send = LinuxService.create(new LinuxServiceSpec.TcpSend(5001, bytes, startNs, true), senders());
        // Zeros to a verifying sink whose measured window has not begun.
        LinuxService sink2 = LinuxService.create(new LinuxServiceSpec.TcpSink(5002, true), listeners(Long.MAX_VALUE));
        LinuxService zeros = LinuxService.create(new LinuxServiceSpec.TcpSend(5002, 100_000, 0, false), senders());
        try {
            for (LinuxService s : List.of(sink, send, sink2, zeros)) {
                s.start();
            }
            Root.await(10_000, "both streams to end", () -> "closed".equals(fig(send, "state"))
                    && "closed".equals(fig(zeros, "state"))
                    && Long.valueOf(1).equals(fig(sink, "fins")) && Long.valueOf(1).equals(fig(sink2, "fins")));
        } finally {
            for (LinuxService s : List.of(send, zeros, sink, sink2)) {
                s.stop();
            }
        }
        Map<String, Object> tx = send.figures();
        Map<String, Object> rx = sink.figures();
        assertEquals("tcp_send:5001", send.name());
        assertEquals(bytes, tx.get("bytes_written"), tx.toString());
        assertEquals("done", tx.get("closed"));
        assertTrue((long) tx.get("connect_ns") >= startNs, "waited for its start time: " + tx);
        assertNull(tx.get("errors"), tx.toString());
        assertEquals(bytes, rx.get("bytes_total"), rx.toString());
        assertEquals(bytes, rx.get("bytes"), rx.toString());
        assertEquals(1L, rx.get("connections"));
        assertEquals(true, rx.get("verified"));
        assertEquals(0L, rx.get("pattern_errors"));
        assertTrue((double) rx.get("goodput_bps") > 0);
        assertTrue((long) rx.get("first_ns") >= startNs && (long) rx.get("last_ns") >= (long) rx.get("first_ns"));

        Map<String, Object> rx2 = sink2.figures();
        assertEquals(100_000L, rx2.get("bytes_total"));
        assertEquals(0L, rx2.get("bytes"), "nothing in a window that has not begun");
        assertEquals(false, rx2.get("verified"));
        assertTrue((long) rx2.get("pattern_errors") > 0);
    }

    @Test
    void udpSinkCountsAndVerifiesDatagramsAndUdpEchoEchoes() throws Exception {
        LinuxService sink = LinuxService.create(new LinuxServiceSpec.UdpSink(5003, true), listeners(0));
        LinuxService echo = LinuxService.create(new LinuxServiceSpec.UdpEcho(5004), listeners(0));
        int count = 200;
        int size = 1000;
        byte[][] echoed = new byte[1][];
        try {
            sink.start();
            echo.start();
            LinuxService.Context from = senders();
            ns.call(() -> {
                ns.checkCurrentThread();
                try (DatagramSocket d = new DatagramSocket(null)) {
                    d.bind(new InetSocketAddress(from.local(), 0));
                    byte[] b = new byte[size];
                    for (int i = 0; i < count; i++) {
                        Pattern.fill(b, 0, size, i);
                        d.send(new DatagramPacket(b, size, HOST, 5003));
                        if (i % 20 == 19) {
                            Thread.sleep(1); // within the kernel's default receive buffer
                        }
                    }
                    byte[] hello = "hello, echo".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    d.send(new DatagramPacket(hello, hello.length, HOST, 5004));
                    d.setSoTimeout(2_000);
                    DatagramPacket back = new DatagramPacket(new byte[100], 100);
                    d.receive(back);
                    echoed[0] = Arrays.copyOf(back.getData(), back.getLength());
                }
                return null;
            });
            Root.await(5_000, "every datagram", () -> Long.valueOf(count).equals(fig(sink, "datagrams_total")));
        } finally {
            sink.stop();
            echo.stop();
        }
        Map<String, Object> rx = sink.figures();
        assertEquals((long) count, rx.get("datagrams"), rx.toString());
        assertEquals((long) count * size, rx.get("bytes"));
        assertEquals(0L, rx.get("lost"));
        assertEquals(0L, rx.get("duplicates"));
        assertEquals(true, rx.get("verified"));
        assertArrayEquals("hello, echo".getBytes(java.nio.charset.StandardCharsets.US_ASCII), echoed[0]);
        assertEquals(1L, echo.figures().get("echoed"));
    }

    @Test
    void iperfServerReportsWhatIperfClientSent() throws Exception {
        LinuxService server = LinuxService.create(new LinuxServiceSpec.IperfServer(5201), listeners(0));
        LinuxService client = LinuxService.create(new LinuxServiceSpec.IperfClient(5201, 1_000_000_000L,
                CLOCK.getAsLong() + 50_000_000L), senders());
        try {
            server.start();
            client.start();
            Root.await(8_000, "the client to finish", () -> "finished".equals(fig(client, "state")));
        } finally {
            client.stop();
            server.stop();
        }
        Map<String, Object> c = client.figures();
        Map<String, Object> s = server.figures();
        assertEquals(0, c.get("exit_code"), c.toString());
        assertEquals(1, c.get("connections"), c.toString());
        assertEquals(1, s.get("connections"), s.toString());
        long bytes = (long) c.get("bytes");
        assertTrue(bytes > 0);
        assertEquals(bytes, s.get("bytes"), "every byte the client wrote reached the server: " + c + " " + s);
        double seconds = (double) c.get("seconds");
        assertTrue(seconds >= 1.0 && seconds < 1.5, c.toString());
        double serverSeconds = (double) s.get("seconds");
        assertTrue(serverSeconds > 0.9 && serverSeconds < 1.5, s.toString());
        // The rate is iperf's own, over its own interval (printed to 0.1 ms).
        assertEquals(bytes * 8 / serverSeconds, (long) s.get("bits_per_second"), bytes * 8 / serverSeconds * 1e-3);
        assertEquals(0L, c.get("write_errors"));
        assertTrue(c.containsKey("retries") && c.containsKey("writes"), c.toString());
        assertEquals("stopped", s.get("state"));
        assertNull(s.get("tool_errors"), s.toString());
    }

    @Test
    void iperfServerCountsWhatTcpSendWroteButItsFirstFourBytes() throws Exception {
        long bytes = 3_000_000;
        LinuxService server = LinuxService.create(new LinuxServiceSpec.IperfServer(5202), listeners(0));
        LinuxService send = LinuxService.create(new LinuxServiceSpec.TcpSend(5202, bytes, 0, true), senders());
        // A sender that does not stop by itself: the server's SIGINT at the end still gets its report.
        LinuxService server2 = LinuxService.create(new LinuxServiceSpec.IperfServer(5203), listeners(0));
        LinuxService forever = LinuxService.create(new LinuxServiceSpec.TcpSend(5203, 0, 0, true), senders());
        try {
            server.start();
            server2.start();
            send.start();
            forever.start();
            Root.await(8_000, "the transfer", () -> "closed".equals(fig(send, "state"))
                    && (long) fig(forever, "bytes_written") > 1_000_000);
            Root.await(2_000, "the report", () -> Integer.valueOf(1).equals(fig(server, "connections")));
            server2.stop();
        } finally {
            send.stop();
            forever.stop();
            server.stop();
            server2.stop();
        }
        Map<String, Object> s = server.figures();
        assertEquals(1, s.get("connections"), s.toString());
        // iperf's server takes the first 4 bytes (zero here) for the flags of a test header, uncounted.
        assertEquals(bytes - IperfServerService.FLAGS_BYTES, s.get("bytes"), s.toString());
        assertEquals(bytes, send.figures().get("bytes_written"));
        Map<String, Object> s2 = server2.figures();
        assertEquals(1, s2.get("connections"), s2.toString());
        assertTrue((long) s2.get("bytes") > 1_000_000, s2.toString());
        assertTrue((long) forever.figures().get("bytes_written") >= (long) s2.get("bytes"));
    }

    @Test
    void pingReportsRepliesAndRoundTrips() throws Exception {
        LinuxService ping = LinuxService.create(new LinuxServiceSpec.Ping(5, 20_000_000L, 100,
                CLOCK.getAsLong()), senders());
        // No one at .7: requests go unanswered (ARP on the veth pair, inside the namespace).
        Inet4Address nobody = (Inet4Address) InetAddress.getByName("198.51.100.7");
        LinuxService.Context toNobody = new LinuxService.Context(ns, LinuxService.LINUX_PEER, nobody, CLOCK, 0).checked();
        LinuxService lost = LinuxService.create(new LinuxServiceSpec.Ping(2, 20_000_000L, 56, 0, 200_000_000L), toNobody);
        try {
            ping.start();
            lost.start();
            Root.await(5_000, "both pings to end", () -> "finished".equals(fig(ping, "state"))
                    && "finished".equals(fig(lost, "state")));
        } finally {
            ping.stop();
            lost.stop();
        }
        Map<String, Object> p = ping.figures();
        assertEquals("ping:198.51.100.1", ping.name());
        assertEquals(5L, p.get("sent"), p.toString());
        assertEquals(5L, p.get("received"));
        assertEquals(0L, p.get("lost"));
        assertEquals(0.0, p.get("loss_percent"));
        assertEquals(0, p.get("exit_code"));
        long min = (long) p.get("rtt_min_ns");
        long avg = (long) p.get("rtt_avg_ns");
        long max = (long) p.get("rtt_max_ns");
        assertTrue(0 < min && min <= avg && avg <= max && max < 100_000_000L, p.toString());
        Map<String, Object> l = lost.figures();
        assertEquals("ping:198.51.100.7", lost.name());
        assertEquals(2L, l.get("sent"), l.toString());
        assertEquals(0L, l.get("received"));
        assertEquals(100.0, l.get("loss_percent"));
        assertEquals(1, l.get("exit_code"));
    }

    @Test
    void aPeerReportsEveryServiceUnderAUniqueNameAndTheKernelsCounters() throws Exception {
        try (LinuxPeer peer = new LinuxPeer(senders(), List.of(new LinuxServiceSpec.Ping(3, 10_000_000L, 56, 0),
                new LinuxServiceSpec.Ping(2, 10_000_000L, 56, 0), new LinuxServiceSpec.UdpSink(5005, false)))) {
            peer.start();
            Root.await(5_000, "the pings", () -> peer.services().stream().filter(s -> s.program().equals("ping"))
                    .allMatch(s -> "finished".equals(s.figures().get("state"))));
            peer.stop();
            Map<String, Object> r = peer.report();
            assertEquals(List.of("ping:198.51.100.1", "ping:198.51.100.1#2", "udp_sink:5005", "host"),
                    List.copyOf(r.keySet()));
            assertEquals(3L, ((Map<?, ?>) r.get("ping:198.51.100.1")).get("received"));
            assertEquals(2L, ((Map<?, ?>) r.get("ping:198.51.100.1#2")).get("received"));
            Map<?, ?> icmp = (Map<?, ?>) ((Map<?, ?>) r.get("host")).get("Icmp");
            assertTrue(icmp != null && (long) icmp.get("InEchos") >= 5, r.get("host").toString());
        }
    }
}

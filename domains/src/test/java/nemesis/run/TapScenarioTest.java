package nemesis.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nemesis.linux.LinuxNamespace;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's guarantees, with the real Linux kernel as the peer over a TAP device, in real time:
 * ping and ARP both ways; iperf's own report agrees with the emulator's figures; a transmit
 * reservation rate-controls what Linux measures; standard tools (iperf both ways, nc both ways)
 * interoperate; transfers stay byte-exact with loss and reordering on the link; and the same
 * scenario in virtual time with the simulated linux peer gives the same figures.
 *
 * <p>Needs root and /dev/net/tun (CI has both); skipped with the reason otherwise. Each scenario
 * runs for its duration in wall time: they are kept short.
 */
class TapScenarioTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void needsRoot() {
        String why = LinuxNamespace.unsupportedReason();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    }

    /** The Linux-side tools a test uses, installed by scripts/install-test-tools.sh (CI runs it). */
    static void needs(String... tools) {
        for (String t : tools) {
            Assumptions.assumeTrue(nemesis.linux.Command.onPath(t),
                    () -> "skipped: " + t + " is not installed (scripts/install-test-tools.sh installs it)");
        }
    }

    record Run(Map<String, Object> results) {
        @SuppressWarnings("unchecked")
        Map<String, Object> domain(String name) {
            return (Map<String, Object>) ((Map<String, Object>) results.get("domains")).get(name);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> stats(String name) {
            return (Map<String, Object>) domain(name).get("stats");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> peer(String service) {
            Map<String, Object> p = (Map<String, Object>) results.get("peer");
            assertTrue(p.containsKey(service), () -> service + " in " + p.keySet());
            return (Map<String, Object>) p.get(service);
        }

        double num(String domain, String key) {
            return ((Number) domain(domain).get(key)).doubleValue();
        }

        @SuppressWarnings("unchecked")
        double share(String domain) {
            return ((Number) ((Map<String, Object>) domain(domain).get("cpu")).get("share")).doubleValue();
        }
    }

    Run run(String name, String yaml) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, yaml.replace("PCAP", tmp.resolve(name + ".pcap").toString()));
        Scenario s = ScenarioParser.parse(file);
        ScenarioRunner.Outcome o = ScenarioRunner.run(s, new ScenarioRunner.Options(tmp, false, null, null, null));
        assertTrue(LinuxNamespace.rootAddresses().stream().noneMatch(a -> a.startsWith("198.51.100.")),
                "nothing of the TAP network in the root namespace");
        return new Run(o.results());
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    @Test
    void pingAndArpWorkBothWays() throws Exception {
        needs("ping");
        Run r = run("ping", """
                clock: real
                duration: 2s
                machine: p200-de4x5
                link: { rate: 100Mbit/s, pcap: PCAP }
                peer:
                  kind: tap
                  services:
                    - { program: ping, count: 5, interval: 200ms, start: 300ms }
                domains:
                  - name: pinger
                    program: ping
                    args: { to: peer, count: 5, interval: 200ms }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                """);
        Map<String, Object> linux = r.peer("ping:198.51.100.1");
        assertEquals(5, num(linux.get("sent")), linux::toString);
        assertEquals(5, num(linux.get("received")), () -> "Linux pings the emulated host: " + linux);
        assertEquals(5, num(r.stats("pinger").get("received")), () -> "the emulated host pings Linux: " + r.stats("pinger"));
        // Each side had to resolve the other's MAC address first: ARP both ways.
        Map<?, ?> link = (Map<?, ?>) r.results().get("link");
        assertEquals(0, num(link.get("dropped")));
    }

    /**
     * tcp_send to Linux's {@code iperf -s}: iperf's own report (its rate from the connection's
     * accept to its FIN) agrees within 1% with the sender's {@code transfer_bps} (bytes acknowledged
     * from the connect to the last ACK), and the rate is within 3% of what the transmit reservation allows.
     */
    @Test
    void iperfAgreesWithTheEmulatorAndMeasuresTheReservedRate() throws Exception {
        needs("iperf", "ss");
        Run r = run("iperf", """
                clock: real
                duration: 5s
                machine: p200-de4x5
                link: { rate: 100Mbit/s }
                peer:
                  kind: tap
                  services:
                    - { program: iperf_server, port: 5001 }
                domains:
                  - name: s1
                    program: tcp_send
                    args: { to: "peer:5001", bytes: 3MB }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 1ms, slice: 110us, extra: false }
                """);
        Map<String, Object> iperf = r.peer("iperf_server:5001");
        Map<String, Object> st = r.stats("s1");
        double linuxBps = num(iperf.get("bits_per_second"));
        double span = num(st.get("all_acked_at_ns")) - num(st.get("connected_at_ns"));
        double ours = r.num("s1", "transfer_bps");
        assertEquals(3_000_000 * 8e9 / span, ours, 1e-6, "transfer_bps: the bytes acknowledged over connect to last ACK");
        assertEquals(3_000_000, num(st.get("bytes_acked")));
        assertEquals(ours, linuxBps, ours * 0.01, () -> "iperf " + iperf + " vs ours " + ours + " (" + st + ")");
        // 110 us of every 1 ms of a 100 Mb/s wire, 1460 of each 1500 bytes charged being payload
        double allowed = 0.11 * 100e6 * 1460 / 1500;
        assertEquals(allowed, linuxBps, allowed * 0.03, "the rate Linux measures is what the reservation allows");
    }

    @Test
    void iperfAndNcSendToTheEmulatedHostAndReceiveFromIt() throws Exception {
        needs("iperf", "nc");
        Run r = run("tools", """
                clock: real
                duration: 5s
                warmup: 500ms
                machine: p200-de4x5
                link: { rate: 100Mbit/s }
                peer:
                  kind: tap
                  services:
                    - { program: iperf_client, port: 6001, duration: 3s, start: 1s }
                    - { program: nc_send, port: 6002, bytes: 1MB, start: 200ms }
                    - { program: nc_sink, port: 5002, verify: pattern }
                domains:
                  - name: from_iperf
                    program: tcp_sink
                    args: { port: 6001 }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                  - name: from_nc
                    program: tcp_sink
                    args: { port: 6002, verify: pattern }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                  - name: to_nc
                    program: tcp_send
                    args: { to: "peer:5002", bytes: 1MB }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                    tx: { period: 10ms, slice: 2ms, extra: true }
                """);
        Map<String, Object> client = r.peer("iperf_client:6001");
        // Start times are the run's: setting up the namespace does not count toward them.
        assertTrue(num(client.get("started_ns")) >= 1e9, client::toString);
        assertTrue(num(r.peer("nc_send:6002").get("started_ns")) >= 200e6, () -> r.peer("nc_send:6002").toString());
        double iperfBytes = num(client.get("bytes"));
        double got = num(r.stats("from_iperf").get("bytes_total"));
        assertTrue(iperfBytes > 1_000_000, client::toString);
        assertEquals(iperfBytes, got, 0, () -> "tcp_sink got everything iperf wrote: " + client);
        assertEquals(1_000_000, num(r.stats("from_nc").get("bytes_total")));
        assertEquals(Boolean.TRUE, r.domain("from_nc").get("verified"));
        Map<String, Object> nc = r.peer("nc_sink:5002");
        assertEquals(1_000_000, num(nc.get("bytes")), nc::toString);
        assertEquals(Boolean.TRUE, nc.get("verified"), nc::toString);
    }

    /**
     * Linux senders that start before the emulated host listens (its domains start at 300 ms) are
     * refused and try again, as clients waiting for their server: each receiver gets one
     * connection and every byte; the refusals are counted, not reported as errors.
     */
    @Test
    void linuxSendersWaitForTheEmulatedHostToListen() throws Exception {
        needs("iperf", "nc");
        Run r = run("refused", """
                clock: real
                duration: 3s
                machine: p200-de4x5
                link: { rate: 10Mbit/s }
                peer:
                  kind: tap
                  services:
                    - { program: tcp_send, port: 6001, bytes: 300KB }
                    - { program: nc_send, port: 6002, bytes: 300KB }
                    - { program: iperf_client, port: 6003, duration: 1s }
                domains:
                  - { name: a, program: tcp_sink, args: { port: 6001, verify: pattern }, start: 300ms, cpu: { period: 10ms, slice: 1ms, extra: true } }
                  - { name: b, program: tcp_sink, args: { port: 6002, verify: pattern }, start: 300ms, cpu: { period: 10ms, slice: 1ms, extra: true } }
                  - { name: c, program: tcp_sink, args: { port: 6003 }, start: 300ms, cpu: { period: 10ms, slice: 1ms, extra: true } }
                """);
        for (String[] sv : new String[][] {{"tcp_send:6001", "a"}, {"nc_send:6002", "b"}, {"iperf_client:6003", "c"}}) {
            Map<String, Object> p = r.peer(sv[0]);
            assertTrue(num(p.get("connect_refused")) > 0, () -> "refused while nothing listened: " + p);
            assertEquals(null, p.get("errors"), p::toString);
            assertEquals(null, p.get("tool_errors"), p::toString);
            Map<String, Object> st = r.stats(sv[1]);
            assertEquals(1, num(st.get("connections")), st::toString);
            if (!sv[1].equals("c")) {
                assertEquals(300_000, num(st.get("bytes_total")), st::toString);
                assertEquals(Boolean.TRUE, r.domain(sv[1]).get("verified"));
            }
        }
        assertEquals(num(r.peer("iperf_client:6003").get("bytes")), num(r.stats("c").get("bytes_total")));
    }

    @Test
    void byteExactBothWaysWithLossAndReordering() throws Exception {
        // 20 s: 1 MB takes 1-7 s here, but a retransmission lost again waits 1, 2, 4, 8 s (RFC 6298
        // backoff from a 1 s minimum); one run in a few dozen went past 12 s.
        Run r = run("faults", """
                clock: real
                duration: 20s
                seed: 3
                machine: ideal
                link: { rate: 100Mbit/s, faults: { loss: 5%, reorder: 5% }, pcap: PCAP }
                peer:
                  kind: tap
                  services:
                    - { program: tcp_sink, port: 5001, verify: pattern }
                    - { program: tcp_send, port: 6001, bytes: 1MB, start: 100ms }
                domains:
                  - name: sender
                    program: tcp_send
                    args: { to: "peer:5001", bytes: 1MB }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 10ms, slice: 5ms, extra: true }
                  - name: receiver
                    program: tcp_sink
                    args: { port: 6001, verify: pattern }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                """);
        Map<String, Object> linuxSink = r.peer("tcp_sink:5001");
        assertEquals(1_000_000, num(linuxSink.get("bytes_total")), linuxSink::toString);
        assertEquals(Boolean.TRUE, linuxSink.get("verified"));
        assertEquals(1_000_000, num(r.stats("receiver").get("bytes_total")), () -> "" + r.stats("receiver"));
        assertEquals(Boolean.TRUE, r.domain("receiver").get("verified"));
        @SuppressWarnings("unchecked")
        Map<String, Object> tap = (Map<String, Object>) ((Map<String, Object>) r.results().get("link")).get("tap");
        assertTrue(num(tap.get("tx_lost")) > 0 && num(tap.get("rx_lost")) > 0, () -> "losses both ways: " + tap);
        assertTrue(num(tap.get("tx_reordered")) > 0 && num(tap.get("rx_reordered")) > 0, () -> "reordering both ways: " + tap);
    }

    /**
     * The same scenario twice: in virtual time with the simulated linux peer, in real time with
     * the Linux kernel over the TAP. Goodputs and CPU shares agree within 5%.
     */
    @Test
    void virtualTimeWithTheSimulatedPeerAgreesWithRealTimeOverTheTap() throws Exception {
        String yaml = """
                clock: CLOCK
                duration: 5s
                warmup: 1s
                machine: p200-de4x5
                link: { rate: 100Mbit/s }
                peer:
                  kind: KIND
                  services:
                    - { program: tcp_sink, port: 5001, verify: pattern }
                    - { program: tcp_sink, port: 5002, verify: pattern }
                domains:
                  - name: s1
                    program: tcp_send
                    args: { to: "peer:5001" }
                    cpu: { period: 10ms, slice: 2ms, extra: false }
                    tx: { period: 1ms, slice: 110us, extra: false }
                  - name: s2
                    program: tcp_send
                    args: { to: "peer:5002" }
                    cpu: { period: 20ms, slice: 2ms, extra: false }
                    tx: { period: 2ms, slice: 110us, extra: false }
                  - name: hog
                    program: carnage
                    cpu: { period: 20ms, slice: 8ms, extra: false }
                """;
        Run virtual = run("virtual", yaml.replace("CLOCK", "virtual").replace("KIND", "sim"));
        Run real = run("real", yaml.replace("CLOCK", "real").replace("KIND", "tap"));
        for (int retry = 2; retry <= 3 && !agree(virtual, real); retry++) {
            // A real-time run on a shared machine can be disturbed by other load (a build, a
            // benchmark: seen to take 12% off a run): two more tries, the bounds unchanged.
            real = run("real" + retry, yaml.replace("CLOCK", "real").replace("KIND", "tap"));
        }
        StringBuilder report = new StringBuilder();
        for (String d : new String[] {"s1", "s2", "hog", "driver"}) {
            report.append(String.format(java.util.Locale.ROOT, "%s: share %.4f / %.4f, goodput %.0f / %.0f%n", d,
                    virtual.share(d), real.share(d), virtual.num(d, "goodput_bps"), real.num(d, "goodput_bps")));
        }
        System.out.print("virtual / real:\n" + report); // the margins, for CI's log
        for (String d : new String[] {"s1", "s2"}) {
            assertEquals(virtual.num(d, "goodput_bps"), real.num(d, "goodput_bps"), virtual.num(d, "goodput_bps") * 0.05,
                    d + " goodput\n" + report);
        }
        for (String d : new String[] {"s1", "s2", "hog", "driver"}) {
            assertEquals(virtual.share(d), real.share(d), virtual.share(d) * 0.05, d + " CPU share\n" + report);
        }
    }

    private static boolean agree(Run virtual, Run real) {
        for (String d : new String[] {"s1", "s2"}) {
            if (Math.abs(virtual.num(d, "goodput_bps") - real.num(d, "goodput_bps")) > virtual.num(d, "goodput_bps") * 0.05) {
                return false;
            }
        }
        for (String d : new String[] {"s1", "s2", "hog", "driver"}) {
            if (Math.abs(virtual.share(d) - real.share(d)) > virtual.share(d) * 0.05) {
                return false;
            }
        }
        return true;
    }
}

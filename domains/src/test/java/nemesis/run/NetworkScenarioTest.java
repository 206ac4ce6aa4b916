package nemesis.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.Tshark;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's guarantees on whole scenarios: transmit reservations rate-control UDP senders at
 * 10 and 100 Mb/s (from the results and from the capture), unreserved wire time goes to extra
 * channels, an idle reservation costs nothing, captures are valid for tshark, runs repeat exactly.
 */
class NetworkScenarioTest {
    @TempDir
    Path tmp;

    record Run(Map<String, Object> results, Path pcap, long measuredNs, long warmupNs) {
    }

    Run run(String name, String yaml) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Path pcap = tmp.resolve(name + ".pcap");
        Files.writeString(file, yaml.replace("PCAP", pcap.toString()));
        Scenario s = ScenarioParser.parse(file);
        ScenarioRunner.Outcome o = ScenarioRunner.run(s, new ScenarioRunner.Options(tmp, false, null, null, null));
        return new Run(o.results(), pcap, o.kernel().measuredNs(), s.warmupNs());
    }

    @SuppressWarnings("unchecked")
    static double txShare(Run r, String domain) {
        Map<String, Object> d = (Map<String, Object>) ((Map<String, Object>) r.results.get("domains")).get(domain);
        Map<String, Object> tx = (Map<String, Object>) d.get("tx");
        return (((Number) tx.get("guaranteed_ns")).doubleValue() + ((Number) tx.get("extra_ns")).doubleValue())
                / r.measuredNs;
    }

    /** Transmit time as charged (IP datagram bytes x 8 / rate) per UDP destination port, after the warmup. */
    static Map<Integer, Double> wireShareByDstPort(Run r, long rateBps) throws Exception {
        Map<Integer, Double> m = new HashMap<>();
        for (PcapReader.Record rec : PcapReader.read(r.pcap).records()) {
            byte[] f = rec.data();
            if (rec.timestampNs() < r.warmupNs || f.length < 42 || f[12] != 0x08 || f[13] != 0 || f[23] != 17) {
                continue;
            }
            int dport = (f[36] & 0xFF) << 8 | f[37] & 0xFF;
            m.merge(dport, (f.length - 14) * 8e9 / rateBps / r.measuredNs, Double::sum);
        }
        return m;
    }

    /** One udp_send domain {@code name} to the peer's {@code port}, with transmit reservation {@code tx}. */
    static String sender(String name, int port, String tx, boolean extra) {
        return "  - name: " + name + "\n"
                + "    program: udp_send\n"
                + "    args: { to: \"peer:" + port + "\" }\n"
                + "    cpu: { period: 10ms, slice: 1500us, extra: true }\n"
                + "    tx: { " + tx + ", extra: " + extra + " }\n";
    }

    /** Senders s1, s2, ... to ports 5001, 5002, ... */
    static String senders(String extraFlag, String... tx) {
        StringBuilder y = new StringBuilder("domains:\n");
        for (int i = 0; i < tx.length; i++) {
            y.append(sender("s" + (i + 1), 5001 + i, tx[i], Boolean.parseBoolean(extraFlag)));
        }
        return y.toString();
    }

    static String network(String rate, String machine, int sinks) {
        StringBuilder y = new StringBuilder("duration: 4s\nwarmup: 1s\nmachine: " + machine + "\n"
                + "link: { rate: " + rate + ", delay: 5us, pcap: PCAP }\npeer:\n  kind: sim\n  services:\n");
        for (int i = 0; i < sinks; i++) {
            y.append("    - { program: udp_sink, port: ").append(5001 + i).append(", verify: pattern }\n");
        }
        return y.toString();
    }

    @Test
    void reservationsRateControlUdpAtTenAndAHundredMegabits() throws Exception {
        for (String[] c : new String[][] {{"10Mbit/s", "10000000", "p200-3c509"}, {"100Mbit/s", "100000000", "p200-de4x5"}}) {
            long rate = Long.parseLong(c[1]);
            long frameNs = Math.ceilDiv(1500 * 8_000_000_000L, rate);
            String[] tx = {"period: 50ms, slice: " + 2 * frameNs + "ns", "period: 10ms, slice: 2400us",
                "period: 20ms, slice: 1ms"};
            double[] want = {2.0 * frameNs / 50e6, 0.24, 0.05};
            Run r = run("rc" + c[1], network(c[0], c[2], 3) + senders("false", tx));
            Map<Integer, Double> wire = wireShareByDstPort(r, rate);
            for (int i = 0; i < 3; i++) {
                String d = "s" + (i + 1);
                assertEquals(want[i], txShare(r, d), want[i] * 0.01, c[0] + " " + d + " (results)");
                // The capture counts whole frames in the window: allow one frame at each edge.
                assertEquals(want[i], wire.get(5001 + i), want[i] * 0.01 + 2.0 * frameNs / r.measuredNs,
                        c[0] + " " + d + " (capture)");
            }
        }
    }

    @Test
    void unreservedWireTimeIsSharedAmongExtraChannels() throws Exception {
        Run r = run("extra", network("10Mbit/s", "p200-de4x5", 3) + "domains:\n"
                + sender("s1", 5001, "period: 10ms, slice: 2ms", false)
                + sender("x1", 5002, "period: 10ms, slice: 0ms", true)
                + sender("x2", 5003, "period: 10ms, slice: 0ms", true));
        double reserved = txShare(r, "s1");
        double x1 = txShare(r, "x1");
        double x2 = txShare(r, "x2");
        assertEquals(0.20, reserved, 0.002, "the reserved channel gets its 20% and no more");
        // As charged (IP bytes), a saturated wire is 1500/1538 of the time.
        assertTrue(reserved + x1 + x2 > 0.96, "the wire is kept busy: " + (reserved + x1 + x2));
        assertEquals(x1, x2, 0.05 * (x1 + x2), "the extra channels share the rest about equally");
    }

    @Test
    void aReservedButIdleChannelCostsTheOthersNothing() throws Exception {
        String yaml = network("10Mbit/s", "p200-de4x5", 2) + """
                domains:
                  - name: quiet
                    program: udp_send
                    args: { to: "peer:5001", count: 3 }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                    tx: { period: 10ms, slice: 7ms, extra: false }
                  - name: greedy
                    program: udp_send
                    args: { to: "peer:5002" }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 10ms, slice: 0ms, extra: true }
                """;
        Run r = run("idle", yaml);
        assertTrue(txShare(r, "greedy") > 0.97, "greedy " + txShare(r, "greedy"));
    }

    @Test
    void theCaptureHasValidChecksumsAndFramesLeaveAtPeriodStarts() throws Exception {
        Tshark.assumeAvailable();
        long frameNs = Math.ceilDiv(1500 * 8_000_000_000L, 10_000_000L);
        Run r = run("fig4", network("10Mbit/s", "p200-3c509", 1)
                + senders("false", "period: 50ms, slice: " + 2 * frameNs + "ns"));
        String f = r.pcap.toString();
        assertEquals(List.of(), Tshark.run("-r", f, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-Y", "ip.checksum.status==\"Bad\" || udp.checksum.status==\"Bad\""));
        List<String> status = Tshark.run("-r", f, "-o", "udp.check_checksum:TRUE", "-Y", "udp", "-T", "fields",
                "-e", "udp.checksum.status");
        assertTrue(status.size() > 100 && status.stream().allMatch("1"::equals), "all UDP checksums good");
        List<Double> t = new ArrayList<>();
        for (String line : Tshark.run("-r", f, "-Y", "udp.dstport==5001", "-T", "fields", "-e", "frame.time_relative")) {
            t.add(Double.parseDouble(line.trim()));
        }
        // Two frames per 50 ms period: back to back (one descriptor: the 1.23 ms frame, then the
        // driver's work for the next, about 60 us on a P200), then a pause until the next period starts.
        for (int i = 2; i + 1 < t.size(); i += 2) {
            double gapInPair = t.get(i + 1) - t.get(i);
            double periodStep = t.get(i) - t.get(i - 2);
            assertTrue(gapInPair >= 0.00123 && gapInPair < 0.0015, "pair " + i + ": " + gapInPair);
            assertEquals(0.050, periodStep, 0.0001, "period " + i);
        }
    }

    @Test
    void sameScenarioAndSeedGiveTheSameCaptureEvenWithFaults() throws Exception {
        String yaml = "name: det\n" + network("10Mbit/s", "p200-de4x5", 1).replace("delay: 5us,",
                "delay: 5us, faults: { loss: 5%, duplicate: 2%, reorder: 5%, corrupt: 1% },")
                + senders("true", "period: 10ms, slice: 3ms");
        Run a = run("det1", yaml);
        byte[] first = Files.readAllBytes(a.pcap);
        Run b = run("det2", yaml);
        assertArrayEquals(first, Files.readAllBytes(b.pcap));
        assertEquals(Json.write(a.results), Json.write(b.results));
    }
}

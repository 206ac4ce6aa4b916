package nemesis.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.Tshark;
import nemesis.report.Pcaps;
import nemesis.report.TimeSequencePlot;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;
import nemesis.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's guarantees on whole scenarios: a transmit reservation rate-controls TCP exactly as
 * the paper's Figure 4 shows (checked from the capture), captures of TCP transfers are clean for
 * tshark, and the peer's TCP services work both ways with content checked.
 */
class TcpScenarioTest {
    static final long MS = 1_000_000L;
    static final int HOST = Ipv4Address.parse("192.0.2.1");
    static final int PEER = Ipv4Address.parse("192.0.2.2");

    @TempDir
    Path tmp;

    record Run(Map<String, Object> results, Path pcap, long warmupNs) {
        @SuppressWarnings("unchecked")
        Map<String, Object> domain(String name) {
            return (Map<String, Object>) ((Map<String, Object>) results.get("domains")).get(name);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> peer(String service) {
            return (Map<String, Object>) ((Map<String, Object>) results.get("peer")).get(service);
        }
    }

    Run run(String name, String yaml) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Path pcap = tmp.resolve(name + ".pcap");
        Files.writeString(file, yaml.replace("PCAP", pcap.toString()));
        Scenario s = ScenarioParser.parse(file);
        ScenarioRunner.Outcome o = ScenarioRunner.run(s, new ScenarioRunner.Options(tmp, false, null, null, null));
        return new Run(o.results(), pcap, s.warmupNs());
    }

    /** Figure 4's set-up: tcp_send on the 3c509 at 10 Mb/s to the SunOS receiver, tx (50 ms, slice, no). */
    static String figure4(String slice, String duration) {
        return nemesis.experiment.Fig4.scenario("fig4", 50, slice, duration);
    }

    /** The data segments from the host to port 5001 after the warmup, from the capture. */
    static List<TimeSequencePlot.Segment> dataAfterWarmup(Run r) throws Exception {
        Pcaps.Flow flow = Pcaps.tcpFlowTo(PcapReader.read(r.pcap), HOST, 5001, 0);
        assertNotNull(flow, "the capture has the connection");
        List<TimeSequencePlot.Segment> out = new ArrayList<>();
        for (TimeSequencePlot.Segment s : flow.segments()) {
            if (s.timeNs() >= r.warmupNs) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Groups segments into bursts separated by more than {@code gapNs} of silence: with a 50 ms
     * period and a slice of a few packets each burst is one period's sending.
     */
    static List<List<TimeSequencePlot.Segment>> bursts(List<TimeSequencePlot.Segment> segs, long gapNs) {
        List<List<TimeSequencePlot.Segment>> out = new ArrayList<>();
        List<TimeSequencePlot.Segment> cur = null;
        long last = Long.MIN_VALUE;
        for (TimeSequencePlot.Segment s : segs) {
            if (cur == null || s.timeNs() - last > gapNs) {
                cur = new ArrayList<>();
                out.add(cur);
            }
            cur.add(s);
            last = s.timeNs();
        }
        return out;
    }

    @Test
    void aTransmitReservationSendsTwoMtuPacketsAtEachPeriodStart() throws Exception {
        Run r = run("fig4", figure4("2400us", "8s"));
        List<TimeSequencePlot.Segment> segs = dataAfterWarmup(r);
        List<List<TimeSequencePlot.Segment>> bursts = bursts(segs, 10 * MS);
        assertTrue(bursts.size() >= 138, "7 s of 50 ms periods: " + bursts.size());
        long phase = Math.floorMod(bursts.get(0).get(0).timeNs(), 50 * MS);
        for (int i = 0; i < bursts.size(); i++) {
            List<TimeSequencePlot.Segment> b = bursts.get(i);
            assertEquals(2, b.size(), "period " + i + ": " + b);
            for (TimeSequencePlot.Segment s : b) {
                assertEquals(1460, s.length(), "MTU-sized: " + s);
                assertTrue(!s.retransmission(), "no retransmission: " + s);
            }
            // The burst starts at the same point of every period, whenever the ACKs came: the
            // period start (plus the driver's constant work), never an ACK's arrival.
            long start = b.get(0).timeNs();
            assertEquals(phase, Math.floorMod(start, 50 * MS), 2_000, "period " + i + " starts at its period start");
            if (i > 0) {
                long step = start - bursts.get(i - 1).get(0).timeNs();
                assertEquals(0, step % (50 * MS), 2_000, "whole periods between bursts " + (i - 1) + " and " + i);
                assertEquals(50 * MS, step, 2_000, "no period skipped before " + i);
            }
        }
        // The peer's ACKs come at other times: the SunOS receiver answers the second segment of
        // each pair after processing it, about 3 ms into the period.
        Pcaps.Flow flow = Pcaps.tcpFlowTo(PcapReader.read(r.pcap), HOST, 5001, 0);
        long acksInBurstStart = flow.acks().stream().filter(a -> a.timeNs() >= r.warmupNs)
                .filter(a -> Math.floorMod(a.timeNs() - phase, 50 * MS) < 100_000).count();
        assertEquals(0, acksInBurstStart, "no ACK arrives just before a burst: the bursts are not ACK-clocked");
        Map<String, Object> c1 = r.domain("c1");
        assertEquals(Boolean.TRUE, c1.get("verified"));
        // Two 1460-byte payloads per 50 ms: 467.2 kbit/s.
        assertEquals(2 * 1460 * 8 / 0.05, ((Number) c1.get("goodput_bps")).doubleValue(), 2 * 1460 * 8 / 0.05 * 0.01);
    }

    @Test
    void aThreeMillisecondSliceAlternatesTwoAndThreePackets() throws Exception {
        Run r = run("fig4-3ms", figure4("3ms", "6s"));
        List<List<TimeSequencePlot.Segment>> bursts = bursts(dataAfterWarmup(r), 10 * MS);
        assertTrue(bursts.size() >= 98, "5 s of 50 ms periods: " + bursts.size());
        int twos = 0;
        int threes = 0;
        for (int i = 0; i < bursts.size(); i++) {
            int n = bursts.get(i).size();
            assertTrue(n == 2 || n == 3, "period " + i + ": " + n);
            if (i > 0) {
                assertTrue(n != bursts.get(i - 1).size(), "periods alternate: " + (i - 1) + " and " + i);
            }
            if (n == 2) {
                twos++;
            } else {
                threes++;
            }
        }
        assertTrue(Math.abs(twos - threes) <= 1, twos + " twos, " + threes + " threes");
    }

    @Test
    void theCaptureOfATransferIsCleanForTshark() throws Exception {
        Tshark.assumeAvailable();
        Run r = run("clean", """
                name: clean
                duration: 3s
                warmup: 500ms
                machine: p200-de4x5
                link: { rate: 100Mbit/s, delay: 50us, pcap: PCAP }
                peer:
                  profile: linux
                  services:
                    - { program: tcp_sink, port: 5001, verify: pattern }
                    - { program: tcp_send, port: 5002, bytes: 2MB, start: 100ms }
                domains:
                  - name: s1
                    program: tcp_send
                    args: { to: "peer:5001" }
                    cpu: { period: 10ms, slice: 2ms, extra: true }
                    tx: { period: 1ms, slice: 500us, extra: true }
                  - name: r
                    program: tcp_sink
                    args: { port: 5002, verify: pattern }
                    cpu: { period: 10ms, slice: 1ms, extra: true }
                """);
        String f = r.pcap.toString();
        List<String> tcp = Tshark.run("-r", f, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "tcp", "-T", "fields", "-e", "tcp.checksum.status");
        assertTrue(tcp.size() > 10_000 && tcp.stream().allMatch("1"::equals),
                "every TCP checksum good (" + tcp.size() + " segments)");
        assertEquals(List.of(), Tshark.run("-r", f, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\" || _ws.malformed || _ws.expert.severity >= \"error\""));
        assertEquals(List.of(), Tshark.run("-r", f, "-Y",
                "tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission"
                        + " || tcp.analysis.lost_segment || tcp.analysis.out_of_order",
                "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"));
        // Both directions delivered every byte, verified.
        assertEquals(Boolean.TRUE, r.domain("s1").get("verified"));
        assertEquals(Boolean.TRUE, r.domain("r").get("verified"));
        assertEquals(2_000_000L, ((Number) ((Map<?, ?>) r.domain("r").get("stats")).get("bytes_total")).longValue());
        assertEquals("TIME-WAIT", r.peer("tcp_send:5002").get("state"));
    }
    /** A peer sender that starts before the Nemesis domain listens is refused and tries again. */
    @Test
    void aPeerSenderWaitsForTheDomainToListen() throws Exception {
        Run r = run("refused", """
                duration: 3s
                machine: p200-de4x5
                link: { rate: 10Mbit/s }
                peer:
                  services:
                    - { program: tcp_send, port: 6001, bytes: 300KB }
                domains:
                  - { name: a, program: tcp_sink, args: { port: 6001, verify: pattern }, start: 300ms, cpu: { period: 10ms, slice: 1ms, extra: true } }
                """);
        Map<String, Object> p = r.peer("tcp_send:6001");
        assertEquals(15, ((Number) p.get("connect_refused")).intValue(), p::toString); // every 20 ms until 300 ms
        assertEquals(300_000L, ((Number) p.get("bytes_acked")).longValue(), p::toString);
        assertEquals(300_000L, ((Number) r.domain("a").get("bytes_delivered")).longValue());
        assertEquals(Boolean.TRUE, r.domain("a").get("verified"));
    }
    /**
     * A Nemesis receiver acknowledges when its reader has freed the buffers, not at the next
     * 200 ms tick: with free CPU (ideal machine) and a hog holding its slices, a peer's stream
     * into a tcp_sink runs at the line rate. (The window opened only when the receiver thread
     * primed the returned buffers again, and nothing looked then: 0.3 Mbit/s with a 9 ms/20 ms hog.)
     */
    @Test
    void aNemesisReceiverAcknowledgesWhenItsBuffersReturn() throws Exception {
        for (String hog : new String[] {"6ms", "9ms"}) {
            Run r = run("ack-" + hog, """
                    duration: 4s
                    warmup: 1s
                    machine: ideal
                    link: { rate: 10Mbit/s }
                    peer:
                      services:
                        - { program: tcp_send, port: 6001 }
                    domains:
                      - { name: rx, program: tcp_sink, args: { port: 6001, verify: pattern }, cpu: { period: 10ms, slice: 2ms, extra: false } }
                      - { name: hog, program: carnage, cpu: { period: 20ms, slice: HOG, extra: false } }
                    """.replace("HOG", hog));
            double line = 10e6 * 1448 / 1538; // a full frame: 1448 bytes of payload (timestamps) in 1538 on the wire
            double got = ((Number) r.domain("rx").get("goodput_bps")).doubleValue();
            assertEquals(line, got, line * 0.01, "hog " + hog + "/20ms");
        }
    }
}

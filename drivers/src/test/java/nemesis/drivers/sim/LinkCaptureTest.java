package nemesis.drivers.sim;

import static nemesis.drivers.sim.LinkHarness.MBPS;
import static nemesis.drivers.sim.LinkHarness.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.drivers.pcap.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs: determinism of deliveries and capture, and the capture checked by Java and tshark. */
class LinkCaptureTest {
    static final Faults ALL = new Faults(0.1, 0.1, 0.1, 0.1);

    /** What a run produced: deliveries, the pcap's bytes, what the capture saw, the counters. */
    record Run(List<String> deliveries, byte[] pcap, List<PcapReader.Record> captured, String counters) {
    }

    /**
     * 3,000 UDP frames of random sizes in both directions at random times (traffic from a seed of
     * its own), over 10 Mb/s with {@code faults}, captured to a pcap in memory.
     */
    static Run run(long linkSeed, String linkName, Faults faults) throws IOException {
        LinkConfig config = LinkConfig.ethernet(10 * MBPS, 50 * US).withFaults(faults);
        LinkHarness h = new LinkHarness(config, linkSeed, 8192, linkName);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<PcapReader.Record> captured = new ArrayList<>();
        try (PcapWriter pcap = new PcapWriter(bytes)) {
            nemesis.drivers.sim.Capture toPcap = Capture.pcap(pcap);
            h.link.capture((t, from, f) -> {
                captured.add(new PcapReader.Record(t, f.length(), java.util.Arrays.copyOf(f.bytes(), f.length())));
                toPcap.frame(t, from, f);
            });
            SplittableRandom traffic = new SplittableRandom(99);
            long now = 0;
            for (int i = 0; i < 3000; i++) {
                now += traffic.nextLong(1_000 * US); // up to ~1.5 s of traffic: timestamps cross a second
                End from = traffic.nextBoolean() ? End.A : End.B;
                h.send(from, UdpFrames.udp(i, traffic.nextInt(1, 1473)), now);
            }
            h.timeline.runAll();
        }
        assertEquals(0, h.pool.inUse(), "leak");
        String counters = h.link.counters(End.A) + " / " + h.link.counters(End.B);
        return new Run(h.trace(), bytes.toByteArray(), captured, counters);
    }

    @Test
    void theSameSeedGivesTheSameDeliveriesAndAByteIdenticalPcap() throws IOException {
        Run a = run(7, "wire0", ALL);
        Run b = run(7, "wire0", ALL);
        assertEquals(a.deliveries(), b.deliveries());
        assertArrayEquals(a.pcap(), b.pcap());
        assertEquals(a.counters(), b.counters());
        assertTrue(a.counters().contains("loss=") && a.counters().contains("corrupt="), a.counters());
    }

    @Test
    void anotherSeedOrLinkNameGivesOtherFaults() throws IOException {
        Run a = run(7, "wire0", ALL);
        assertNotEquals(a.deliveries(), run(8, "wire0", ALL).deliveries());
        assertNotEquals(a.deliveries(), run(7, "wire1", ALL).deliveries());
        // The capture shows what was sent: the same whatever the faults.
        assertArrayEquals(a.pcap(), run(8, "wire0", ALL).pcap());
        assertArrayEquals(a.pcap(), run(7, "wire0", Faults.NONE).pcap());
    }

    @Test
    void thePcapParsesBackToWhatTheCaptureSawInTimeOrder() throws IOException {
        Run r = run(7, "wire0", ALL);
        PcapReader.Capture c = PcapReader.read(r.pcap());
        assertTrue(c.nanos());
        assertEquals(1, c.linktype());
        assertEquals(3000, c.records().size(), "every frame sent, lost or not, is captured once");
        assertEquals(r.captured(), c.records());
        for (int i = 1; i < c.records().size(); i++) {
            assertTrue(c.records().get(i).timestampNs() >= c.records().get(i - 1).timestampNs(), "time order");
        }
        for (PcapReader.Record rec : c.records()) {
            assertTrue(UdpFrames.accepted(rec.data(), rec.data().length), "captured as sent, before corruption");
        }
    }

    @Test
    void tsharkReadsTheTimestampsAndLengths(@TempDir Path dir) throws Exception {
        Tshark.assumeAvailable();
        Run r = run(7, "wire0", ALL);
        Path file = dir.resolve("wire0.pcap");
        Files.write(file, r.pcap());
        List<String> lines = Tshark.run("-r", file.toString(), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len");
        assertEquals(r.captured().size(), lines.size());
        assertTrue(r.captured().getLast().timestampNs() > 1_000_000_000L, "the run crosses a second");
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            long ns = new BigDecimal(f[0]).movePointRight(9).longValueExact();
            assertEquals(r.captured().get(i).timestampNs(), ns, "frame " + i + ": " + lines.get(i));
            assertEquals(r.captured().get(i).origLen(), Integer.parseInt(f[1].trim()), "frame " + i);
        }
    }

    @Test
    void tsharkFindsNoBadChecksumInACaptureOfGoodFrames(@TempDir Path dir) throws Exception {
        Tshark.assumeAvailable();
        Run r = run(7, "wire0", new Faults(0, 0, 0, 1)); // every frame corrupted, after the capture
        Path file = dir.resolve("good.pcap");
        Files.write(file, r.pcap());
        assertEquals(List.of(), Tshark.run("-r", file.toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-Y", BAD_CHECKSUM));
        // and every checksum was actually verified good (status 1), not merely left unverified (2)
        List<String> status = Tshark.run("-r", file.toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-T", "fields", "-e", "ip.checksum.status", "-e", "udp.checksum.status");
        assertEquals(3000, status.size());
        assertTrue(status.stream().allMatch("1\t1"::equals), status.stream().filter(s -> !s.equals("1\t1")).toList().toString());
    }

    /**
     * Wireshark's checksum status: 0 Bad, 1 Good, 2 Unverified. {@code status==2} would match
     * unchecked checksums, not bad ones, so the filter asks for Bad.
     */
    static final String BAD_CHECKSUM = "ip.checksum.status==\"Bad\" || udp.checksum.status==\"Bad\"";

    @Test
    void tsharkDoesFlagACorruptedFrame(@TempDir Path dir) throws Exception {
        Tshark.assumeAvailable(); // the negative control: the check above can fail
        Path file = dir.resolve("bad.pcap");
        byte[] udpBad = UdpFrames.udp(1, 100);
        udpBad[60] ^= 0x10;
        byte[] ipBad = UdpFrames.udp(2, 100);
        ipBad[22] ^= 0x01; // TTL
        try (PcapWriter w = PcapWriter.create(file)) {
            byte[] good = UdpFrames.udp(0, 100);
            w.write(0, good, 0, good.length);
            w.write(1_000, udpBad, 0, udpBad.length);
            w.write(2_000, ipBad, 0, ipBad.length);
        }
        List<String> flagged = Tshark.run("-r", file.toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-Y", BAD_CHECKSUM, "-T", "fields", "-e", "frame.number");
        assertEquals(List.of("2", "3"), flagged);
    }
}

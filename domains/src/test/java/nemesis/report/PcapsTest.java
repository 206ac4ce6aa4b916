package nemesis.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.Tshark;
import nemesis.report.TimeSequencePlot.Ack;
import nemesis.report.TimeSequencePlot.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapsTest {
    private static final int PERIODS = 10;

    @TempDir
    Path dir;

    private Pcaps.Flow flow(int shift, boolean vlan) throws IOException {
        Path file = dir.resolve("fig4.pcap");
        Transfers.figure4(file, PERIODS, shift, vlan);
        return Pcaps.tcpFlow(file, "10.0.0.1", 5001, shift);
    }

    @Test
    void extractsSegmentsRelativeToTheFirstDataByte() throws IOException {
        Pcaps.Flow f = flow(0, false);
        assertEquals(2 * PERIODS + 1, f.segments().size(), "SYN and pure ACKs are not data segments");
        assertEquals((Transfers.ISN + 1) & 0xFFFF_FFFFL, f.base());
        assertEquals(0x0A000002, f.peerIp());
        assertEquals(6001, f.peerPort());
        Segment first = f.segments().getFirst();
        assertEquals(new Segment(Transfers.START_NS, 0, Transfers.MSS, false), first);
        // sequence numbers keep growing across the 2^32 wrap (the ISN is 4 KB below it)
        for (int p = 0; p < PERIODS; p++) {
            List<Segment> in = inPeriod(f.segments(), p);
            assertEquals(Transfers.seq(p, 0), in.get(0).seq());
            assertEquals(Transfers.seq(p, 1), in.get(1).seq());
        }
        assertEquals(1, f.retransmissions());
        Segment retx = f.segments().stream().filter(Segment::retransmission).findFirst().orElseThrow();
        assertEquals(Transfers.seq(Transfers.RETX_PERIOD - 1, 1), retx.seq());
        assertEquals((2L * PERIODS + 1) * Transfers.MSS, f.bytesSent());
    }

    @Test
    void extractsAcksWithScaledWindows() throws IOException {
        for (int shift : new int[] {0, 3}) {
            Pcaps.Flow f = flow(shift, false);
            List<Ack> acks = f.acks();
            assertEquals(PERIODS + 1, acks.size(), "the SYN-ACK and one ACK per period");
            assertEquals(new Ack(2_000_000, 0, Transfers.WINDOW), acks.getFirst(), "a SYN's window is never scaled");
            for (int p = 0; p < PERIODS; p++) {
                Ack a = acks.get(p + 1);
                assertEquals(Transfers.seq(p + 1, 0), a.ack());
                assertEquals((long) (Transfers.WINDOW >> shift) << shift, a.window());
            }
        }
    }

    @Test
    void vlanTaggedFramesParseAlike() throws IOException {
        Pcaps.Flow plain = flow(0, false);
        Pcaps.Flow tagged = flow(0, true);
        assertEquals(plain.segments(), tagged.segments());
        assertEquals(plain.acks(), tagged.acks());
    }

    @Test
    void countsDataPacketsPerPeriod() throws IOException {
        Pcaps.Flow f = flow(0, false);
        int[] want = new int[PERIODS];
        Arrays.fill(want, 2);
        want[Transfers.RETX_PERIOD] = 3;
        assertArrayEquals(want, Pcaps.packetsPerPeriod(f.segments(), Transfers.START_NS, Transfers.PERIOD_NS));
        assertArrayEquals(want, Pcaps.packetsPerPeriod(f.segments(), Transfers.START_NS, Transfers.PERIOD_NS, PERIODS));
        // shifted by half a period: each half-period window holds both packets or none
        int[] half = Pcaps.packetsPerPeriod(f.segments(), Transfers.START_NS, Transfers.PERIOD_NS / 2);
        assertEquals(2 * PERIODS - 1, half.length);
        for (int i = 0; i < half.length; i++) {
            assertEquals(i % 2 == 1 ? 0 : want[i / 2], half[i], "half period " + i);
        }
        // before the first period start: not counted; an extra period at the end: 0
        int[] late = Pcaps.packetsPerPeriod(f.segments(), Transfers.START_NS + Transfers.PERIOD_NS,
                Transfers.PERIOD_NS, PERIODS);
        assertEquals(0, late[PERIODS - 1]);
        assertEquals(2 * PERIODS + 1 - 2, Arrays.stream(late).sum());
    }

    @Test
    void bucketsNewBytesPerInterval() throws IOException {
        Pcaps.Flow f = flow(0, false);
        long[] b = Pcaps.bytesPerInterval(f.segments(), 0, 100_000_000, 5);
        // 100 ms intervals from 0 hold periods 0-1, 2-3, ...: four segments each; the resent one is not new
        for (long v : b) {
            assertEquals(4L * Transfers.MSS, v);
        }
        double[][] mbps = Pcaps.throughput(f.segments(), 0, 100_000_000, 5, Pcaps.MBIT);
        assertEquals(0.1, mbps[1][0], 1e-12);
        assertEquals(4 * 1460 * 8 / 0.1 / 1e6, mbps[1][1], 1e-9);
        double[][] binary = Pcaps.throughput(f.segments(), 0, 100_000_000, 5, Pcaps.MBIT_BINARY);
        assertEquals(mbps[0][1] * 1e6 / (1 << 20), binary[0][1], 1e-9);
    }

    @Test
    void otherConnectionsAndFramesAreIgnored() throws IOException {
        Path file = dir.resolve("fig4.pcap");
        Transfers.figure4(file, PERIODS, 0, false);
        Pcaps.Flow other = Pcaps.tcpFlow(file, "10.0.0.1", 5002);
        assertEquals(PERIODS, other.segments().size());
        assertTrue(other.segments().stream().allMatch(s -> s.length() == 100 && !s.retransmission()));
        assertTrue(other.acks().isEmpty(), "B acknowledges only 5001");
        Pcaps.Flow none = Pcaps.tcpFlow(file, "10.0.0.9", 5001);
        assertTrue(none.segments().isEmpty() && none.acks().isEmpty());
        // from B's side: B sends no data, and A's data packets all carry ACKs
        Pcaps.Flow reverse = Pcaps.tcpFlow(file, "10.0.0.2", 6001);
        assertTrue(reverse.segments().isEmpty());
        assertFalse(reverse.acks().isEmpty());
    }

    @Test
    void refusesOtherLinkTypesAndBadArguments() throws IOException {
        Path file = dir.resolve("fig4.pcap");
        Transfers.figure4(file, 1, 0, false);
        PcapReader.Capture c = PcapReader.read(file);
        PcapReader.Capture wifi = new PcapReader.Capture(c.nanos(), c.order(), 2, 4, 65535, 105, c.records());
        assertThrows(IllegalArgumentException.class, () -> Pcaps.tcpFlow(wifi, TcpFrames.A, 5001, 0));
        assertThrows(IllegalArgumentException.class, () -> Pcaps.tcpFlow(c, TcpFrames.A, 5001, 15));
        assertThrows(IllegalArgumentException.class, () -> Pcaps.packetsPerPeriod(List.of(), 0, 0));
    }

    /** tshark reads the hand-built frames as valid TCP with the same lengths: the test capture is sound. */
    @Test
    void tsharkAgreesOnTheFrames() throws Exception {
        Tshark.assumeAvailable();
        Path file = dir.resolve("fig4.pcap");
        Transfers.figure4(file, PERIODS, 0, false);
        List<String> lines = Tshark.run("-r", file.toString(), "-o", "tcp.check_checksum:TRUE", "-o",
                "ip.check_checksum:TRUE", "-Y", "tcp.srcport == 5001 && tcp.len > 0", "-T", "fields", "-e", "tcp.len",
                "-e", "tcp.checksum.status", "-e", "ip.checksum.status");
        Pcaps.Flow f = Pcaps.tcpFlow(file, "10.0.0.1", 5001);
        assertEquals(f.segments().size(), lines.size());
        for (String l : lines) {
            assertEquals("1460\t1\t1", l.strip(), "length, TCP and IP checksums good (1)");
        }
    }

    private static List<Segment> inPeriod(List<Segment> all, int p) {
        long from = Transfers.START_NS + p * Transfers.PERIOD_NS;
        return all.stream().filter(s -> s.timeNs() >= from && s.timeNs() < from + Transfers.PERIOD_NS).toList();
    }
}

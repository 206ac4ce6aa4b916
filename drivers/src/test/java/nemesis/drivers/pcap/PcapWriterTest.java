package nemesis.drivers.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @Test
    void fileHeaderIsNanosecondLibpcapForEthernet() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PcapWriter(out).close();
        assertEquals("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "01000000",
                HexFormat.of().formatHex(out.toByteArray()));
    }

    @Test
    void recordHeaderCarriesSecondsNanosecondsAndLengths() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out)) {
            w.write(3_001_230_400L, new byte[] {1, 2, 3}, 0, 3);
        }
        byte[] b = out.toByteArray();
        assertEquals(24 + 16 + 3, b.length);
        assertEquals("03000000" + "40c61200" + "03000000" + "03000000" + "010203",
                HexFormat.of().formatHex(b, 24, b.length)); // 1,230,400 = 0x12c640
    }

    @Test
    void roundTripsThroughTheReaderAcrossManyBufferFills() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] frame = new byte[1514];
        try (PcapWriter w = new PcapWriter(out); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2048);
            for (int i = 0; i < 500; i++) {
                int len = 14 + (i * 97) % 1500;
                frame[0] = (byte) i;
                if (i % 2 == 0) {
                    w.write(i * 1_000_000L, frame, 0, len);
                } else {
                    seg.set(ValueLayout.JAVA_BYTE, 8, (byte) i);
                    w.write(i * 1_000_000L, seg, 8, len);
                }
            }
            assertEquals(500, w.records());
        }
        PcapReader.Capture c = PcapReader.read(out.toByteArray());
        assertEquals(true, c.nanos());
        assertEquals(ByteOrder.LITTLE_ENDIAN, c.order());
        assertEquals(2, c.versionMajor());
        assertEquals(4, c.versionMinor());
        assertEquals(65535, c.snaplen());
        assertEquals(1, c.linktype());
        List<PcapReader.Record> r = c.records();
        assertEquals(500, r.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(i * 1_000_000L, r.get(i).timestampNs());
            assertEquals(14 + (i * 97) % 1500, r.get(i).origLen());
            assertEquals(r.get(i).origLen(), r.get(i).data().length);
            assertEquals((byte) i, r.get(i).data()[0]);
        }
    }

    @Test
    void cutsRecordsAtTheSnaplen() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] big = new byte[70_000];
        big[65_534] = 9;
        try (PcapWriter w = new PcapWriter(out)) {
            w.write(0, big, 0, big.length);
        }
        PcapReader.Record r = PcapReader.read(out.toByteArray()).records().getFirst();
        assertEquals(70_000, r.origLen());
        assertEquals(65_535, r.data().length);
        assertEquals(9, r.data()[65_534]);
    }

    @Test
    void refusesTimesItCannotWriteAndWritesAfterClose() throws IOException {
        PcapWriter w = new PcapWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> w.write(-1, new byte[1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> w.write(1L << 62, new byte[1], 0, 1));
        w.close();
        w.close(); // idempotent
        assertThrows(IOException.class, () -> w.write(0, new byte[1], 0, 1));
    }

    @Test
    void createMakesDirectoriesAndFlushesOnClose(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out/sub/x.pcap");
        try (PcapWriter w = PcapWriter.create(file)) {
            w.write(5, new byte[] {7}, 0, 1);
            w.flush();
            assertEquals(24 + 16 + 1, Files.size(file));
        }
        assertArrayEquals(new byte[] {7}, PcapReader.read(file).records().getFirst().data());
    }

    @Test
    void readerRefusesWhatIsNotPcap() {
        assertThrows(IOException.class, () -> PcapReader.read(new byte[24]));
        assertThrows(IOException.class, () -> PcapReader.read(new byte[3]));
    }
}

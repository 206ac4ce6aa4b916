package nemesis.drivers.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a libpcap file back (either byte order, microsecond or nanosecond magic), for tests and
 * tools that check what went over a wire. The whole file is read at once: captures are small.
 */
public final class PcapReader {
    /** One captured frame: its time in ns, its original length and the bytes captured. */
    public record Record(long timestampNs, int origLen, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Record r && r.timestampNs == timestampNs && r.origLen == origLen
                    && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(timestampNs) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Record[" + timestampNs + " ns, " + data.length + "/" + origLen + " bytes]";
        }
    }

    /** The file header's fields and the records. */
    public record Capture(boolean nanos, ByteOrder order, int versionMajor, int versionMinor, int snaplen,
                          int linktype, List<Record> records) {
    }

    private PcapReader() {
    }

    public static Capture read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    public static Capture read(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < PcapWriter.FILE_HEADER_BYTES) {
            throw new IOException("not a pcap file: " + bytes.length + " bytes");
        }
        int magic = b.getInt(0);
        if (magic != PcapWriter.MAGIC_NANOS && magic != PcapWriter.MAGIC_MICROS) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        boolean nanos;
        if (magic == PcapWriter.MAGIC_NANOS) {
            nanos = true;
        } else if (magic == PcapWriter.MAGIC_MICROS) {
            nanos = false;
        } else {
            throw new IOException("not a pcap file: magic " + Integer.toHexString(b.getInt(0)));
        }
        b.position(4);
        int major = Short.toUnsignedInt(b.getShort());
        int minor = Short.toUnsignedInt(b.getShort());
        b.getInt(); // thiszone
        b.getInt(); // sigfigs
        int snaplen = b.getInt();
        int linktype = b.getInt();
        List<Record> records = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < PcapWriter.RECORD_HEADER_BYTES) {
                throw new IOException("truncated record header at byte " + b.position());
            }
            long sec = Integer.toUnsignedLong(b.getInt());
            long frac = Integer.toUnsignedLong(b.getInt());
            int incl = b.getInt();
            int orig = b.getInt();
            if (incl < 0 || incl > b.remaining()) {
                throw new IOException("truncated record at byte " + b.position() + ": " + incl + " bytes");
            }
            byte[] data = new byte[incl];
            b.get(data);
            records.add(new Record(sec * 1_000_000_000L + (nanos ? frac : frac * 1_000L), orig, data));
        }
        return new Capture(nanos, b.order(), major, minor, snaplen, linktype, List.copyOf(records));
    }
}

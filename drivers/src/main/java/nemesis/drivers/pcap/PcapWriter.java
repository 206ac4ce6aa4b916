package nemesis.drivers.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a libpcap capture file with nanosecond timestamps, readable by tshark, Wireshark and
 * tcpdump. Timestamps are emulated time, so a capture of a virtual run is byte-identical from run
 * to run.
 *
 * <p>Format (little endian, as written by libpcap on x86; readers detect the order by the magic):
 * <pre>
 *  file header, 24 bytes                    record header, 16 bytes, then incl_len bytes
 *  +--------------------------------+       +--------------------------------+
 *  | magic 0xa1b23c4d (ns)     u32  |       | ts_sec                    u32  |
 *  | version 2             u16 u16 4|       | ts_nsec (0..999,999,999)  u32  |
 *  | thiszone 0                i32  |       | incl_len (<= snaplen)     u32  |
 *  | sigfigs 0                 u32  |       | orig_len                  u32  |
 *  | snaplen 65535             u32  |       +--------------------------------+
 *  | linktype 1 (Ethernet)     u32  |
 *  +--------------------------------+
 * </pre>
 * Records go through an internal buffer: nothing is allocated per record. Not thread-safe.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int SNAPLEN = 65535;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int FILE_HEADER_BYTES = 24;
    public static final int RECORD_HEADER_BYTES = 16;

    private static final long NS_PER_S = 1_000_000_000L;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int pos;
    private long records;
    private boolean closed;

    /** Writes the file header to {@code out}; {@link #close()} closes {@code out}. */
    public PcapWriter(OutputStream out) throws IOException {
        this.out = out;
        putInt(MAGIC_NANOS);
        putShort(VERSION_MAJOR);
        putShort(VERSION_MINOR);
        putInt(0); // thiszone: timestamps are UTC, here emulated time since the run began
        putInt(0); // sigfigs: always 0 in practice
        putInt(SNAPLEN);
        putInt(LINKTYPE_ETHERNET);
    }

    /** Creates (or truncates) {@code file}, making its parent directories. */
    public static PcapWriter create(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file), BUFFER_BYTES));
    }

    /** One frame of {@code len} bytes at {@code timestampNs}; bytes past the snaplen are cut. */
    public void write(long timestampNs, byte[] data, int off, int len) throws IOException {
        int incl = header(timestampNs, len);
        int done = 0;
        while (done < incl) {
            int n = Math.min(incl - done, buf.length - pos);
            System.arraycopy(data, off + done, buf, pos, n);
            pos += n;
            done += n;
            if (pos == buf.length) {
                drain();
            }
        }
    }

    /** One frame read from off-heap memory (an Rbuf area), like {@link #write(long, byte[], int, int)}. */
    public void write(long timestampNs, MemorySegment data, long offBytes, int len) throws IOException {
        int incl = header(timestampNs, len);
        int done = 0;
        while (done < incl) {
            int n = Math.min(incl - done, buf.length - pos);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offBytes + done, buf, pos, n);
            pos += n;
            done += n;
            if (pos == buf.length) {
                drain();
            }
        }
    }

    /** Writes the record header; returns the number of bytes to capture. */
    private int header(long timestampNs, int len) throws IOException {
        if (closed) {
            throw new IOException("pcap writer closed");
        }
        if (timestampNs < 0 || timestampNs / NS_PER_S > 0xffff_ffffL) {
            throw new IllegalArgumentException("pcap timestamp out of range: " + timestampNs + " ns");
        }
        if (len < 0) {
            throw new IllegalArgumentException("negative frame length: " + len);
        }
        int incl = Math.min(len, SNAPLEN);
        if (buf.length - pos < RECORD_HEADER_BYTES) {
            drain();
        }
        putInt((int) (timestampNs / NS_PER_S));
        putInt((int) (timestampNs % NS_PER_S));
        putInt(incl);
        putInt(len);
        records++;
        return incl;
    }

    /** Frames written so far. */
    public long records() {
        return records;
    }

    /** Pushes buffered bytes to the stream and flushes it. */
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            out.close();
        }
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    private void putInt(int v) {
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) (v >>> 16);
        buf[pos + 3] = (byte) (v >>> 24);
        pos += 4;
    }

    private void putShort(int v) {
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        pos += 2;
    }
}

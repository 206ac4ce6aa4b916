package nemesis.drivers.sim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One Ethernet frame on the simulated wire: a {@code byte[]} of {@link #CAPACITY} bytes and a
 * length. The bytes are the frame as the NIC hands it over, destination MAC first, without the
 * CRC (the link charges the CRC as overhead).
 *
 * <p>Frames come from a {@link FramePool} and are owned by exactly one party at a time: the sender
 * until {@link EthernetLink#send}, then the link, then the {@link Receiver} it is delivered to,
 * which must {@link #release()} it. The bytes are always a copy: nothing on the wire refers to a
 * sender's Rbuf memory.
 */
public final class Frame {
    /** Largest frame without CRC is 1514; 1518 leaves room for an 802.1Q tag. */
    public static final int CAPACITY = 1518;
    /** Destination, source, EtherType. */
    public static final int ETHERNET_HEADER_BYTES = 14;

    private final byte[] data = new byte[CAPACITY];
    /** The same bytes as a segment, made once: filters read frames through it without allocating. */
    private final MemorySegment segment = MemorySegment.ofArray(data);
    private final FramePool pool;
    private int length;
    boolean inUse; // guarded by the pool's single-threaded use

    Frame(FramePool pool) {
        this.pool = pool;
    }

    /** The backing array, {@link #CAPACITY} bytes long; bytes past {@link #length()} mean nothing. */
    public byte[] bytes() {
        return data;
    }

    public int length() {
        return length;
    }

    /** The backing array as a {@link MemorySegment} ({@link #CAPACITY} bytes; the frame is its first {@link #length()}). */
    public MemorySegment segment() {
        return segment;
    }

    public Frame length(int lengthBytes) {
        if (lengthBytes < 0 || lengthBytes > CAPACITY) {
            throw new IllegalArgumentException("frame length " + lengthBytes + " not in [0, " + CAPACITY + "]");
        }
        this.length = lengthBytes;
        return this;
    }

    /** Copies {@code len} bytes of {@code src} from {@code off} into this frame and sets its length. */
    public Frame copyFrom(byte[] src, int off, int len) {
        length(len);
        System.arraycopy(src, off, data, 0, len);
        return this;
    }

    /** Copies {@code len} bytes of {@code src} (an Rbuf area, say) from {@code offBytes}; sets the length. */
    public Frame copyFrom(MemorySegment src, long offBytes, int len) {
        length(len);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offBytes, data, 0, len);
        return this;
    }

    /** Copies the frame's {@link #length()} bytes into {@code dst} at {@code offBytes}. */
    public void copyTo(MemorySegment dst, long offBytes) {
        MemorySegment.copy(data, 0, dst, ValueLayout.JAVA_BYTE, offBytes, length);
    }

    /** Returns the frame to its pool. The caller must not touch it afterwards. */
    public void release() {
        pool.release(this);
    }

    public FramePool pool() {
        return pool;
    }

    @Override
    public String toString() {
        return "Frame[" + length + " bytes]";
    }
}

package nemesis.rbufs;

import java.lang.foreign.MemorySegment;
import nemesis.kernel.DomainContext;

/**
 * One domain's access to an Rbuf area, with the rights it was granted. Addresses are those of
 * the machine's address space; every access is checked to lie inside the area, and writes through
 * a read-only view fail with {@link AccessViolation} before anything is touched.
 */
public final class AreaView {
    private final RbufArea area;
    private final DomainContext holder;
    private final MemorySegment segment;
    private final boolean writable;

    AreaView(RbufArea area, DomainContext holder, MemorySegment segment, boolean writable) {
        this.area = area;
        this.holder = holder;
        this.segment = segment;
        this.writable = writable;
    }

    public RbufArea area() {
        return area;
    }

    public boolean writable() {
        return writable;
    }

    /**
     * The memory as this domain may touch it, indexed by offset (address minus {@link #base()}).
     * Read-only for a read-only grant: the FFM API then refuses writes too.
     */
    public MemorySegment segment() {
        checkLive();
        return segment;
    }

    public long base() {
        return area.base();
    }

    /** The offset in {@link #segment()} of [addr, addr+len), checked to lie inside the area. */
    public long offsetOf(long addr, long len) {
        checkLive();
        if (!area.contains(addr, len)) {
            throw new AccessViolation(holder.name() + ": [0x" + Long.toHexString(addr) + ", +" + len
                    + ") is outside " + area);
        }
        return addr - area.base();
    }

    public void write(long addr, byte[] src, int off, int len) {
        requireWritable();
        MemorySegment.copy(src, off, segment, java.lang.foreign.ValueLayout.JAVA_BYTE, offsetOf(addr, len), len);
    }

    public void read(long addr, byte[] dst, int off, int len) {
        MemorySegment.copy(segment, java.lang.foreign.ValueLayout.JAVA_BYTE, offsetOf(addr, len), dst, off, len);
    }

    /** Copies {@code len} bytes from {@code addr} here to {@code toAddr} in {@code to}. */
    public void copyTo(long addr, AreaView to, long toAddr, int len) {
        to.requireWritable();
        MemorySegment.copy(segment(), offsetOf(addr, len), to.segment(), to.offsetOf(toAddr, len), len);
    }

    public void requireWritable() {
        checkLive();
        if (!writable) {
            throw new AccessViolation(holder.name() + " has read-only rights to " + area + ": write refused");
        }
    }

    private void checkLive() {
        if (area.isFreed()) {
            throw new AccessViolation(holder.name() + ": " + area + " was freed");
        }
    }
}

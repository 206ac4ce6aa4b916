package nemesis.wire;

import java.lang.foreign.MemorySegment;

/**
 * What every packet view has in common: a range of a segment it reads and writes in place.
 * Views are reusable ({@link #wrap} again for the next packet) so the per-packet path allocates
 * nothing. Wrapping checks only that the range lies in the segment; whether the bytes make a
 * valid packet is each view's own {@code validate}/{@code check}, to call before its accessors.
 *
 * @param <T> the view's own type, so {@code wrap} chains
 */
public abstract class Flyweight<T extends Flyweight<T>> {
    protected MemorySegment seg;
    protected long offset;
    protected int length;

    /**
     * Points this view at {@code length} bytes at {@code offset} of {@code seg}: all it may read.
     *
     * @throws IllegalArgumentException if the range is negative or not inside the segment
     */
    @SuppressWarnings("unchecked")
    public final T wrap(MemorySegment seg, long offset, int length) {
        if (offset < 0 || length < 0 || offset > seg.byteSize() - length) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") outside a segment of "
                    + seg.byteSize());
        }
        this.seg = seg;
        this.offset = offset;
        this.length = length;
        return (T) this;
    }

    public final MemorySegment segment() {
        return seg;
    }

    public final long offset() {
        return offset;
    }

    /** The bytes wrapped (a packet's own length field may say less: Ethernet padding). */
    public final int length() {
        return length;
    }
}

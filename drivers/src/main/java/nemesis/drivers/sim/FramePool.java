package nemesis.drivers.sim;

/**
 * A bounded pool of {@link Frame}s: frames are made on first need, up to {@code capacity}, then
 * reused, so steady state allocates nothing. An empty pool is a return value ({@code null}), not
 * an exception: the caller decides whether that is a drop.
 *
 * <p>{@link #inUse()} is the leak check: frames held by senders, links and receivers. Tests take
 * it before and after a run and expect the same number.
 *
 * <p>Single-threaded, like everything in the simulation: the kernel drives it from one thread.
 */
public final class FramePool {
    private final int capacity;
    private final Frame[] free;
    private int freeCount;
    private int created;
    private int inUse;
    private long allocateFailures;

    public FramePool(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("pool capacity must be > 0: " + capacity);
        }
        this.capacity = capacity;
        this.free = new Frame[capacity];
    }

    /** A frame of length 0, or {@code null} if all {@link #capacity()} frames are in use. */
    public Frame allocate() {
        Frame f;
        if (freeCount > 0) {
            f = free[--freeCount];
            free[freeCount] = null;
        } else if (created < capacity) {
            f = new Frame(this);
            created++;
        } else {
            allocateFailures++;
            return null;
        }
        f.inUse = true;
        f.length(0);
        inUse++;
        return f;
    }

    /** A frame holding a copy of {@code src[off, off+len)}, or {@code null} if the pool is empty. */
    public Frame copyOf(byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        if (len > Frame.CAPACITY) { // refuse before taking a frame, so nothing leaks
            throw new IllegalArgumentException("frame length " + len + " > " + Frame.CAPACITY);
        }
        Frame f = allocate();
        return f == null ? null : f.copyFrom(src, off, len);
    }

    /** A frame holding a copy of another frame's bytes, or {@code null} if the pool is empty. */
    public Frame copyOf(Frame src) {
        return copyOf(src.bytes(), 0, src.length());
    }

    void release(Frame f) {
        if (f.pool() != this) {
            throw new IllegalArgumentException("frame belongs to another pool: " + f);
        }
        if (!f.inUse) {
            throw new IllegalStateException("frame released twice: " + f);
        }
        f.inUse = false;
        inUse--;
        free[freeCount++] = f;
    }

    public int capacity() {
        return capacity;
    }

    /** Frames handed out and not yet released. */
    public int inUse() {
        return inUse;
    }

    /** Times {@link #allocate()} found the pool empty. */
    public long allocateFailures() {
        return allocateFailures;
    }
}

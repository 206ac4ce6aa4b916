package nemesis.inet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link BufferSource} of {@code count} buffers of {@code capacity} bytes carved from one
 * off-heap segment; handles are buffer numbers 0..count−1. A free stack, so acquire and release
 * are O(1) and allocate nothing. Releasing a buffer that is not out is a programming error and
 * throws. Not thread-safe.
 */
public final class FixedBufferPool implements BufferSource {
    private final MemorySegment memory;
    private final int capacity;
    private final int[] free;
    private final boolean[] out;
    private int freeCount;

    /** Allocates the memory from an automatic arena (freed when the pool is unreachable). */
    public FixedBufferPool(int count, int capacity) {
        this(Arena.ofAuto().allocate((long) count * capacity, 64), count, capacity);
    }

    /** Uses {@code memory}, which must hold {@code count * capacity} bytes. */
    public FixedBufferPool(MemorySegment memory, int count, int capacity) {
        if (count < 1 || capacity < 1 || memory.byteSize() < (long) count * capacity) {
            throw new IllegalArgumentException("need count >= 1, capacity >= 1 and " + count + " * " + capacity
                    + " bytes; the segment has " + memory.byteSize());
        }
        this.memory = memory;
        this.capacity = capacity;
        this.free = new int[count];
        this.out = new boolean[count];
        for (int i = 0; i < count; i++) {
            free[i] = count - 1 - i;
        }
        freeCount = count;
    }

    @Override
    public int bufferCapacity() {
        return capacity;
    }

    @Override
    public long acquire() {
        if (freeCount == 0) {
            return NONE;
        }
        int b = free[--freeCount];
        out[b] = true;
        return b;
    }

    @Override
    public MemorySegment segment(long buffer) {
        return memory;
    }

    @Override
    public long offset(long buffer) {
        return buffer * capacity;
    }

    @Override
    public void release(long buffer) {
        if (buffer < 0 || buffer >= out.length || !out[(int) buffer]) {
            throw new IllegalStateException("buffer " + buffer + " is not out of this pool");
        }
        out[(int) buffer] = false;
        free[freeCount++] = (int) buffer;
    }

    /** Buffers acquired and not yet released. */
    public int inUse() {
        return out.length - freeCount;
    }

    public int count() {
        return out.length;
    }
}

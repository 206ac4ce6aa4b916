package nemesis.rbufs;

/**
 * A packet as an I/O channel carries it: up to {@link #capacity()} iorecs (address, length) and a
 * user value word. Mutable and reused: the per-packet path allocates nothing.
 */
public final class IoRecs {
    private final long[] base;
    private final int[] len;
    private int count;
    private long value;

    public IoRecs(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        base = new long[capacity];
        len = new int[capacity];
    }

    public int capacity() {
        return base.length;
    }

    public int count() {
        return count;
    }

    public long value() {
        return value;
    }

    public IoRecs value(long v) {
        value = v;
        return this;
    }

    public long base(int i) {
        check(i);
        return base[i];
    }

    public int len(int i) {
        check(i);
        return len[i];
    }

    /** Total bytes over all records. */
    public long totalLength() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += len[i];
        }
        return sum;
    }

    public IoRecs clear() {
        count = 0;
        value = 0;
        return this;
    }

    public IoRecs add(long addr, int length) {
        if (count == base.length) {
            throw new IllegalStateException("more than " + base.length + " records");
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        base[count] = addr;
        len[count] = length;
        count++;
        return this;
    }

    public void set(int i, long addr, int length) {
        check(i);
        base[i] = addr;
        len[i] = length;
    }

    public void copyFrom(IoRecs o) {
        if (o.count > base.length) {
            throw new IllegalStateException("more than " + base.length + " records");
        }
        System.arraycopy(o.base, 0, base, 0, o.count);
        System.arraycopy(o.len, 0, len, 0, o.count);
        count = o.count;
        value = o.value;
    }

    /** Sets the count when a FIFO reads records in (package use). */
    void count(int n) {
        count = n;
    }

    long[] bases() {
        return base;
    }

    int[] lens() {
        return len;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("record " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("IoRecs[");
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(base[i])).append('+').append(len[i]);
        }
        return s.append("; value ").append(value).append(']').toString();
    }
}

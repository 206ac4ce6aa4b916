package nemesis.inet.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The receive side's store for data that cannot be handed to the application yet: out-of-order
 * segments (RFC 9293 §3.10.7.4 "segment text", 4.4BSD {@code tcp_reass}), and in-order bytes the
 * application had no space for. A ring of {@code capacity} bytes covering sequence numbers
 * {@code [RCV.NXT, RCV.NXT + capacity)}: byte {@code s} lives at {@code s mod capacity}, so two
 * live bytes never share a slot as long as the connection stores nothing outside that range (it
 * clips to it). Which bytes are held is a sorted list of disjoint, non-adjacent ranges; each
 * remembers when it last grew, for the SACK blocks (RFC 2018 §4: the newest first).
 *
 * <p>Sequence numbers here are the connection's 64-bit unwrapped ones. The ring is allocated on
 * first use; afterwards nothing is allocated. Bytes are copied in once and out once.
 */
final class ReassemblyStore {
    /** Ranges held at most; a segment that would need another is not stored (counted by the caller). */
    static final int MAX_RANGES = 64;

    private final int capacity;
    private byte[] ring;
    private MemorySegment ringSeg;
    private final long[] start = new long[MAX_RANGES];
    private final long[] end = new long[MAX_RANGES];
    private final long[] touched = new long[MAX_RANGES];
    private int count;
    private long clock;
    private long held;

    ReassemblyStore(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    /** Bytes held. */
    long held() {
        return held;
    }

    long firstStart() {
        return count == 0 ? Long.MAX_VALUE : start[0];
    }

    long firstEnd() {
        return count == 0 ? Long.MIN_VALUE : end[0];
    }

    long lastEnd() {
        return count == 0 ? Long.MIN_VALUE : end[count - 1];
    }

    long start(int i) {
        return start[i];
    }

    long end(int i) {
        return end[i];
    }

    /**
     * Stores {@code [at, at + len)} from {@code src}. The caller has clipped it to
     * {@code [rcvNxt, rcvNxt + capacity)}. Returns false, storing nothing, when it would need a
     * range beyond {@link #MAX_RANGES}.
     */
    boolean insert(long at, MemorySegment src, long srcOff, int len) {
        if (len <= 0) {
            return true;
        }
        long a = at;
        long b = at + len;
        // ranges [i, j) touch or overlap [a, b)
        int i = 0;
        while (i < count && end[i] < a) {
            i++;
        }
        int j = i;
        while (j < count && start[j] <= b) {
            j++;
        }
        int merged = j - i;
        if (merged == 0 && count == MAX_RANGES) {
            return false;
        }
        if (ring == null) {
            ring = new byte[capacity];
            ringSeg = MemorySegment.ofArray(ring);
        }
        copyIn(a, src, srcOff, len);
        long na = a;
        long nb = b;
        long removed = 0;
        if (merged > 0) {
            na = Math.min(a, start[i]);
            nb = Math.max(b, end[j - 1]);
            for (int k = i; k < j; k++) {
                removed += end[k] - start[k];
            }
        }
        // replace ranges [i, j) by one
        int shift = 1 - merged;
        if (shift != 0) {
            System.arraycopy(start, j, start, j + shift, count - j);
            System.arraycopy(end, j, end, j + shift, count - j);
            System.arraycopy(touched, j, touched, j + shift, count - j);
            count += shift;
        }
        start[i] = na;
        end[i] = nb;
        touched[i] = ++clock;
        held += (nb - na) - removed;
        return true;
    }

    private void copyIn(long at, MemorySegment src, long srcOff, int len) {
        int pos = (int) Math.floorMod(at, (long) capacity);
        int first = Math.min(len, capacity - pos);
        MemorySegment.copy(src, srcOff, ringSeg, pos, first);
        if (first < len) {
            MemorySegment.copy(src, srcOff + first, ringSeg, 0, len - first);
        }
    }

    /** Forgets every byte below {@code nxt} (delivered from a packet directly, or consumed). */
    void advanceTo(long nxt) {
        int drop = 0;
        while (drop < count && end[drop] <= nxt) {
            held -= end[drop] - start[drop];
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, count - drop);
            System.arraycopy(end, drop, end, 0, count - drop);
            System.arraycopy(touched, drop, touched, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && start[0] < nxt) {
            held -= nxt - start[0];
            start[0] = nxt;
        }
    }

    /** Forgets every byte at or after {@code limit} (beyond the peer's FIN). */
    void truncate(long limit) {
        while (count > 0 && start[count - 1] >= limit) {
            held -= end[count - 1] - start[count - 1];
            count--;
        }
        if (count > 0 && end[count - 1] > limit) {
            held -= end[count - 1] - limit;
            end[count - 1] = limit;
        }
    }

    /**
     * Hands the application up to {@code max} bytes from {@code nxt}, which must be the start of
     * the first range; returns the bytes handed over (they are forgotten).
     */
    int deliver(long nxt, int max, ReceiveStream rs) {
        if (count == 0 || start[0] != nxt || max <= 0) {
            return 0;
        }
        int n = (int) Math.min(max, end[0] - nxt);
        int pos = (int) Math.floorMod(nxt, (long) capacity);
        int first = Math.min(n, capacity - pos);
        rs.deliver(ringSeg, pos, first);
        if (first < n) {
            rs.deliver(ringSeg, 0, n - first);
        }
        advanceTo(nxt + n);
        return n;
    }

    /**
     * Up to {@code max} ranges above {@code above} (not the one starting at RCV.NXT: that is
     * in-order data waiting for space), most recently grown first (RFC 2018 §4).
     */
    int sackBlocks(long above, long[] left, long[] right, int max) {
        int n = 0;
        long lastPicked = Long.MAX_VALUE;
        while (n < max) {
            int best = -1;
            for (int k = 0; k < count; k++) {
                if (start[k] > above && touched[k] < lastPicked && (best < 0 || touched[k] > touched[best])) {
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            left[n] = start[best];
            right[n] = end[best];
            lastPicked = touched[best];
            n++;
        }
        return n;
    }

    void clear() {
        count = 0;
        held = 0;
    }
}

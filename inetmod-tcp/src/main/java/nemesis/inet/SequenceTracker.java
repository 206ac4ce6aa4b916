package nemesis.inet;

/**
 * What a receiver can tell from the sequence numbers of the datagrams it got: how many were
 * lost, duplicated or reordered. Sequence numbers start anywhere and count up by one per
 * datagram sent.
 *
 * <p>A number above the highest seen so far opens a gap: the numbers skipped count as lost.
 * A number below it is either a duplicate (seen before) or a late arrival that fills part of a
 * gap: reordered, and one fewer lost. Which of the two is kept in a bitmap of the last
 * {@value #WINDOW} numbers; an older number cannot be told apart and counts as a duplicate
 * ({@link #tooOld()} says how many). Losses after the last datagram received are not seen.
 * Allocates nothing.
 */
public final class SequenceTracker {
    /** Numbers remembered behind the highest (a power of two). */
    public static final int WINDOW = 1 << 16;
    private static final int MASK = WINDOW - 1;

    private final long[] seen = new long[WINDOW / 64];
    private boolean started;
    private long highest;
    private long received;
    private long lost;
    private long duplicates;
    private long reordered;
    private long tooOld;

    /** What one arrival was. */
    public enum Arrival { IN_ORDER, AFTER_GAP, LATE, DUPLICATE }

    public Arrival record(long seq) {
        received++;
        if (!started) {
            started = true;
            highest = seq;
            set(seq);
            return Arrival.IN_ORDER;
        }
        if (seq > highest) {
            long gap = seq - highest - 1;
            // The numbers now slid out of the window, and the skipped ones, must read "not seen".
            clear(highest + 1, seq);
            highest = seq;
            set(seq);
            if (gap == 0) {
                return Arrival.IN_ORDER;
            }
            lost += gap;
            return Arrival.AFTER_GAP;
        }
        if (highest - seq >= WINDOW) {
            tooOld++;
            duplicates++;
            return Arrival.DUPLICATE;
        }
        if (isSet(seq)) {
            duplicates++;
            return Arrival.DUPLICATE;
        }
        set(seq);
        lost--;
        reordered++;
        return Arrival.LATE;
    }

    /** Datagrams recorded, duplicates included. */
    public long received() {
        return received;
    }

    /** Numbers skipped and not (yet) filled in. */
    public long lost() {
        return lost;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Arrivals below the highest number seen that filled a gap. */
    public long reordered() {
        return reordered;
    }

    /** Arrivals too far behind to tell (counted as duplicates). */
    public long tooOld() {
        return tooOld;
    }

    /** The highest number seen, or -1 before the first. */
    public long highest() {
        return started ? highest : -1;
    }

    private void set(long seq) {
        int i = (int) (seq & MASK);
        seen[i >>> 6] |= 1L << i;
    }

    private boolean isSet(long seq) {
        int i = (int) (seq & MASK);
        return (seen[i >>> 6] & (1L << i)) != 0;
    }

    /** Clears the bits of [from, to). */
    private void clear(long from, long to) {
        if (to - from >= WINDOW) {
            java.util.Arrays.fill(seen, 0L);
            return;
        }
        for (long s = from; s < to; s++) {
            int i = (int) (s & MASK);
            if ((i & 63) == 0 && to - s >= 64) {
                seen[i >>> 6] = 0;
                s += 63;
            } else {
                seen[i >>> 6] &= ~(1L << i);
            }
        }
    }
}

package nemesis.inet.tcp;

/**
 * The sender's record of what the receiver has selectively acknowledged (RFC 2018; the
 * "scoreboard" of RFC 6675 §3): sorted, disjoint, non-adjacent ranges of SACKed sequence numbers
 * above SND.UNA (64-bit unwrapped). Between them, and between the last and HighData, are the
 * holes: unSACKed data, lost or still in flight.
 *
 * <p>RFC 6675's per-octet definitions become per-hole ones here: every octet of one hole has the
 * same SACKed data above it, so {@code IsLost} (§4) is constant over a hole: a hole is lost when
 * at least DupThresh SACKed ranges lie above it, or more than (DupThresh − 1)·SMSS SACKed bytes.
 * Allocates nothing.
 */
final class SackScoreboard {
    /** Ranges kept at most; a block that would need another is ignored (it will be reported again). */
    static final int MAX_RANGES = 64;

    private final long[] start = new long[MAX_RANGES];
    private final long[] end = new long[MAX_RANGES];
    /** suffixBytes[k]: SACKed bytes in ranges k.. (valid after {@link #prepare}). */
    private final long[] suffixBytes = new long[MAX_RANGES + 1];
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    long start(int i) {
        return start[i];
    }

    long end(int i) {
        return end[i];
    }

    /**
     * Records block {@code [l, r)}, clipped to {@code (una, max]} (RFC 2018 §3: blocks below the
     * cumulative ACK are D-SACKs or stale, above what was sent they are bogus). Returns true if it
     * SACKed an octet not SACKed before.
     */
    boolean add(long l, long r, long una, long max) {
        if (l < una) {
            l = una;
        }
        if (r > max) {
            return false; // a block beyond what we sent is invalid as a whole
        }
        if (r <= l) {
            return false;
        }
        int i = 0;
        while (i < count && end[i] < l) {
            i++;
        }
        int j = i;
        while (j < count && start[j] <= r) {
            j++;
        }
        int merged = j - i;
        long na = l;
        long nb = r;
        long before = 0;
        if (merged > 0) {
            na = Math.min(l, start[i]);
            nb = Math.max(r, end[j - 1]);
            for (int k = i; k < j; k++) {
                before += end[k] - start[k];
            }
            // gaps inside [na, nb) that were not SACKed become SACKed
            if (nb - na == before) {
                return false;
            }
        } else if (count == MAX_RANGES) {
            return false;
        }
        int shift = 1 - merged;
        if (shift != 0) {
            System.arraycopy(start, j, start, j + shift, count - j);
            System.arraycopy(end, j, end, j + shift, count - j);
            count += shift;
        }
        start[i] = na;
        end[i] = nb;
        return true;
    }

    /** SND.UNA moved to {@code una}: forget what it covers. */
    void ackedTo(long una) {
        int drop = 0;
        while (drop < count && end[drop] <= una) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, count - drop);
            System.arraycopy(end, drop, end, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && start[0] < una) {
            start[0] = una;
        }
    }

    void clear() {
        count = 0;
    }

    /** Computes the suffix sums {@link #holeLost} uses; call after the last change. */
    void prepare() {
        suffixBytes[count] = 0;
        for (int k = count - 1; k >= 0; k--) {
            suffixBytes[k] = suffixBytes[k + 1] + (end[k] - start[k]);
        }
    }

    /** Start of hole {@code k} (0..ranges()): below range k, above range k−1. */
    long holeStart(int k, long una) {
        return k == 0 ? una : end[k - 1];
    }

    /** End of hole {@code k}: the start of range k, or HighData for the last. */
    long holeEnd(int k, long highData) {
        return k < count ? start[k] : highData;
    }

    /** RFC 6675 IsLost() for every octet of hole {@code k} (after {@link #prepare}). */
    boolean holeLost(int k, int dupThresh, int smss) {
        return count - k >= dupThresh || suffixBytes[k] > (long) (dupThresh - 1) * smss;
    }

    /** RFC 6675 IsLost(seq) for an unSACKed {@code seq} (after {@link #prepare}). */
    boolean isLost(long seq, int dupThresh, int smss) {
        int k = 0;
        while (k < count && end[k] <= seq) {
            k++;
        }
        return holeLost(k, dupThresh, smss);
    }

    /** SACKed bytes in total. */
    long sackedBytes() {
        long n = 0;
        for (int k = 0; k < count; k++) {
            n += end[k] - start[k];
        }
        return n;
    }

    /** Whether {@code seq} is SACKed. */
    boolean isSacked(long seq) {
        for (int k = 0; k < count; k++) {
            if (seq >= start[k] && seq < end[k]) {
                return true;
            }
        }
        return false;
    }
}

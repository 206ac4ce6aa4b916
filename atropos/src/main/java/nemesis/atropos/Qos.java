package nemesis.atropos;

/**
 * A reservation: {@code sliceNs} of time in every {@code periodNs}, optionally a share of the
 * time nobody reserved ({@code extra}), and a latency hint used to set the first deadline after a
 * long block.
 *
 * <p>A slice of 0 with {@code extra} set is valid: the holder runs only on slack. A slice of 0
 * without {@code extra} is valid but never runs.
 */
public record Qos(long periodNs, long sliceNs, long latencyNs, boolean extra) {

    /** Parts per billion in one whole. */
    public static final long PPB = 1_000_000_000L;

    public Qos {
        if (periodNs <= 0) {
            throw new IllegalArgumentException("period must be > 0 ns: " + periodNs);
        }
        if (sliceNs < 0) {
            throw new IllegalArgumentException("slice must be >= 0 ns: " + sliceNs);
        }
        if (sliceNs > periodNs) {
            throw new IllegalArgumentException("slice " + sliceNs + " ns exceeds period " + periodNs + " ns");
        }
        if (latencyNs <= 0) {
            throw new IllegalArgumentException("latency must be > 0 ns: " + latencyNs);
        }
    }

    /** A reservation whose latency hint is its period, as the Nemesis loader defaults it. */
    public static Qos of(long periodNs, long sliceNs, boolean extra) {
        return new Qos(periodNs, sliceNs, periodNs, extra);
    }

    /** Extra time only: no guarantee, a share of the slack. */
    public static Qos extraOnly(long periodNs) {
        return new Qos(periodNs, 0, periodNs, true);
    }

    /** The reserved fraction in parts per billion, rounded up so admission never over-commits. */
    public long shareppb() {
        if (sliceNs <= Long.MAX_VALUE / PPB) {
            return Math.ceilDiv(sliceNs * PPB, periodNs);
        }
        // Slices above ~9 s: exact arithmetic is not worth a BigInteger on this path.
        return (long) Math.ceil((double) sliceNs / periodNs * PPB);
    }

    /** The reserved fraction, for display. */
    public double share() {
        return (double) sliceNs / periodNs;
    }
}

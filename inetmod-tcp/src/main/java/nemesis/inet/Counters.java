package nemesis.inet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts by reason: one {@code long} per constant of an enum, so counting allocates nothing.
 * Protocol code keeps one next to each decision it makes ("every drop counted by reason").
 *
 * @param <E> the reasons
 */
public final class Counters<E extends Enum<E>> {
    private final E[] reasons;
    private final long[] counts;

    public Counters(Class<E> type) {
        this.reasons = type.getEnumConstants();
        this.counts = new long[reasons.length];
    }

    public void add(E reason) {
        counts[reason.ordinal()]++;
    }

    /** Adds {@code n} (bytes, say) to {@code reason}'s count. */
    public void add(E reason, long n) {
        counts[reason.ordinal()] += n;
    }

    public long get(E reason) {
        return counts[reason.ordinal()];
    }

    /** Over every reason. */
    public long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** The non-zero counts by lower-case reason, in declaration order (for results). */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (E r : reasons) {
            if (counts[r.ordinal()] != 0) {
                m.put(r.name().toLowerCase(java.util.Locale.ROOT), counts[r.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return nonZero().toString();
    }
}

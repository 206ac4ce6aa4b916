package nemesis.kernel.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nemesis.atropos.ActivationReason;

/**
 * Who had the CPU, when, for how long, and why: one row per stretch of CPU time a domain received
 * without a context switch. Gaps between rows are idle time.
 *
 * <p>A row starts at an activation (its {@linkplain ActivationReason reason}) or when the domain's
 * mode changes between guaranteed and extra time without a switch. Rows are kept in parallel
 * primitive arrays: recording allocates only when the arrays grow.
 */
public final class ScheduleTrace {
    private static final ActivationReason[] REASONS = ActivationReason.values();

    private final List<String> names = new ArrayList<>();
    private final List<String> programs = new ArrayList<>();
    private int[] domain = new int[1024];
    private long[] start = new long[1024];
    private long[] end = new long[1024];
    private byte[] reason = new byte[1024];
    private boolean[] extra = new boolean[1024];
    private int size;
    private long endOfRunNs;
    private int[] periodDomain = new int[256];
    private long[] periodStart = new long[256];
    private int periods;

    /** Registers a domain; its id is its index. */
    public int addDomain(String name, String program) {
        names.add(name);
        programs.add(program);
        return names.size() - 1;
    }

    /**
     * Records that {@code domainId} ran over [{@code startNs}, {@code endNs}). A row that continues
     * the previous one (same domain, same mode, no gap) is merged into it.
     *
     * @param activated whether this stretch began with an activation (a context switch to the domain)
     */
    public void record(int domainId, long startNs, long endNs, ActivationReason why, boolean onExtra,
                       boolean activated) {
        if (endNs <= startNs) {
            return;
        }
        if (size > 0) {
            int last = size - 1;
            if (!activated && domain[last] == domainId && extra[last] == onExtra && end[last] == startNs) {
                end[last] = endNs;
                return;
            }
        }
        if (size == domain.length) {
            int n = size * 2;
            domain = Arrays.copyOf(domain, n);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            reason = Arrays.copyOf(reason, n);
            extra = Arrays.copyOf(extra, n);
        }
        domain[size] = domainId;
        start[size] = startNs;
        end[size] = endNs;
        reason[size] = (byte) why.ordinal();
        extra[size] = onExtra;
        size++;
    }

    /** Records that a period of {@code domainId} began at {@code ns} (a refill, a wake-up, the start). */
    public void periodStarted(int domainId, long ns) {
        if (periods == periodDomain.length) {
            periodDomain = Arrays.copyOf(periodDomain, periods * 2);
            periodStart = Arrays.copyOf(periodStart, periods * 2);
        }
        periodDomain[periods] = domainId;
        periodStart[periods] = ns;
        periods++;
    }

    /** Period starts recorded (not in time order across domains: a late refill starts an old period). */
    public int periodCount() {
        return periods;
    }

    public int periodDomain(int i) {
        return periodDomain[i];
    }

    public long periodStartNs(int i) {
        return periodStart[i];
    }

    public void endOfRun(long ns) {
        endOfRunNs = ns;
    }

    /** When the run ended (the time axis of the trace goes from 0 to here). */
    public long endOfRunNs() {
        return endOfRunNs;
    }

    public int size() {
        return size;
    }

    public int domainCount() {
        return names.size();
    }

    public String domainName(int id) {
        return names.get(id);
    }

    public String domainProgram(int id) {
        return programs.get(id);
    }

    public int domain(int row) {
        return domain[row];
    }

    public long start(int row) {
        return start[row];
    }

    public long end(int row) {
        return end[row];
    }

    public ActivationReason reason(int row) {
        return REASONS[reason[row]];
    }

    public boolean extra(int row) {
        return extra[row];
    }

    /** CPU time {@code domainId} received within [{@code fromNs}, {@code toNs}). */
    public long cpuBetween(int domainId, long fromNs, long toNs) {
        long sum = 0;
        int first = firstEndingAfter(fromNs);
        for (int i = first; i < size && start[i] < toNs; i++) {
            if (domain[i] == domainId) {
                sum += Math.max(0, Math.min(end[i], toNs) - Math.max(start[i], fromNs));
            }
        }
        return sum;
    }

    /** Index of the first row that ends after {@code t} (rows are in time order). */
    public int firstEndingAfter(long t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

package nemesis.drivers.sim;

import java.util.Arrays;

/**
 * A deterministic {@link Timeline} moved by hand, for tests and for running devices without a
 * kernel: a binary heap ordered by (time, registration order), kept in parallel arrays so that
 * registering and running actions allocates nothing once the arrays have grown.
 *
 * <p>An action registered for a time already past runs at the next {@link #runUntil} (time does
 * not go backwards), like a late kernel alarm.
 */
public final class ManualTimeline implements Timeline {
    private long nowNs;
    private long seq;
    private int size;
    private long[] timeNs = new long[64];
    private long[] seqs = new long[64];
    private Runnable[] actions = new Runnable[64];
    private long actionsRun;

    @Override
    public void at(long atNs, Runnable action) {
        if (action == null) {
            throw new NullPointerException("action");
        }
        if (size == actions.length) {
            int n = size * 2;
            timeNs = Arrays.copyOf(timeNs, n);
            seqs = Arrays.copyOf(seqs, n);
            actions = Arrays.copyOf(actions, n);
        }
        int i = size++;
        // sift up
        long s = seq++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(atNs, s, parent)) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        timeNs[i] = atNs;
        seqs[i] = s;
        actions[i] = action;
    }

    /**
     * Runs every action due at or before {@code limitNs}, in order, including those the actions
     * register on the way, then sets the time to {@code limitNs}. Returns the number run.
     */
    public int runUntil(long limitNs) {
        if (limitNs < nowNs) {
            throw new IllegalArgumentException("time went backwards: " + limitNs + " < " + nowNs);
        }
        int n = 0;
        while (size > 0 && timeNs[0] <= limitNs) {
            nowNs = Math.max(nowNs, timeNs[0]);
            Runnable r = pollHead();
            n++;
            actionsRun++;
            r.run();
        }
        nowNs = limitNs;
        return n;
    }

    /** Runs actions until none is left; the time stops at the last one's. Returns the number run. */
    public int runAll() {
        int n = 0;
        while (size > 0) {
            n += runUntil(Math.max(nowNs, timeNs[0]));
        }
        return n;
    }

    public long nowNs() {
        return nowNs;
    }

    /** The time of the next action, or {@link Long#MAX_VALUE} if none. */
    public long nextEventNs() {
        return size == 0 ? Long.MAX_VALUE : timeNs[0];
    }

    public int pending() {
        return size;
    }

    public long actionsRun() {
        return actionsRun;
    }

    private Runnable pollHead() {
        Runnable head = actions[0];
        int last = --size;
        long t = timeNs[last];
        long s = seqs[last];
        Runnable a = actions[last];
        actions[last] = null;
        if (last > 0) {
            // sift the last element down from the root
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= last) {
                    break;
                }
                if (c + 1 < last && before(timeNs[c + 1], seqs[c + 1], c)) {
                    c++;
                }
                if (!before(timeNs[c], seqs[c], t, s)) {
                    break;
                }
                move(c, i);
                i = c;
            }
            timeNs[i] = t;
            seqs[i] = s;
            actions[i] = a;
        }
        return head;
    }

    private boolean before(long t, long s, int j) {
        return before(t, s, timeNs[j], seqs[j]);
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void move(int from, int to) {
        timeNs[to] = timeNs[from];
        seqs[to] = seqs[from];
        actions[to] = actions[from];
    }
}

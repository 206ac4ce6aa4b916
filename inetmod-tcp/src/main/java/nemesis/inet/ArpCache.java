package nemesis.inet;

import java.util.Arrays;

/**
 * The ARP cache of one host: IPv4 address → Ethernet address, with address resolution's timers
 * (RFC 826; RFC 1122 §2.3.2.1 on flooding and §2.3.2.2 on queueing). Pure: no threads, no clock;
 * every call takes the time ({@code nowNs}) and {@link #nextTimerNs()} says when to call
 * {@link #expire} next.
 *
 * <p>An entry is in one of these states:
 * <pre>
 *   (none) --resolve--> INCOMPLETE --learn--> COMPLETE --lifetime over--> (none)
 *                         |  every retryInterval: request again, maxRequests in all
 *                         +--no answer to the last--> FAILED --holdDown over--> (none)
 *   putStatic --> STATIC (never expires, never evicted, not changed by learn)
 * </pre>
 *
 * <p>Packets waiting for an address are <em>held</em>: the caller owns their buffers and hands
 * the cache an opaque {@code long} handle. At most {@code holdLimit} per address; when more come,
 * the oldest is dropped (as FreeBSD and Linux do; 4.4BSD kept only the newest one). Every handle
 * given to {@link #resolve} that was not answered at once comes back exactly once, through
 * {@link Actions}: transmitted when the address is learnt, or dropped (overflow, failure,
 * eviction, removal).
 *
 * <p>What the caller must do is reported through an {@link Actions} passed to each call, while
 * the call runs: send a request, transmit or drop a held packet. Actions must not call back into
 * the cache's mutating methods (that throws {@link IllegalStateException}); {@link #lookup} is
 * allowed.
 *
 * <p>Cost: {@link #lookup} and a {@link #resolve} that hits are O(1) (an open-addressing index)
 * and allocate nothing; so does everything else. {@link #expire} and {@link #nextTimerNs} scan
 * the table, O(capacity), only when something changed. Not thread-safe.
 */
public final class ArpCache {
    /** {@link #lookup}: no usable entry. */
    public static final long MISS = -1;
    /** {@link #resolve}: the address is being resolved and the packet is held. */
    public static final long HELD = -2;
    /** {@link #resolve}: resolution failed recently, or no entry could be made; the caller drops the packet. */
    public static final long UNREACHABLE = -3;
    /** "No timer". */
    public static final long NEVER = Long.MAX_VALUE;

    /** What the cache asks its caller to do. Calls arrive during the cache's own call. */
    public interface Actions {
        /** Broadcast an ARP request for {@code ip} (a first request or a retry). */
        void sendRequest(int ip);

        /** {@code ip} is at {@code mac}: transmit the held packet {@code handle} (oldest first). */
        void transmitHeld(long handle, int ip, long mac);

        /** Free the held packet {@code handle}: it will not be sent. */
        void dropHeld(long handle, int ip);
    }

    /**
     * Tunables. Defaults: 64 entries; 60 s lifetime (4.4BSD's {@code arpt_keep} is 20 min, Linux
     * re-checks after about 30 s; a minute notices a changed peer soon enough for our runs); a
     * request every second, 3 in all, then the address is down for 20 s (4.4BSD asks at most once
     * a second, {@code arp_maxtries} = 5 times, then rejects for {@code arpt_down} = 20 s; 3 tries
     * give up sooner in short runs); 4 packets held per address (4.4BSD's {@code la_hold} kept 1
     * and lost the rest of a burst; FreeBSD holds 16, Linux about 100; 4 covers our senders' first
     * burst while keeping few buffers idle).
     *
     * @param holdDownNs how long a failed address answers UNREACHABLE before it is tried again; 0: never hold down
     */
    public record Config(int capacity, long lifetimeNs, long retryIntervalNs, int maxRequests, long holdDownNs, int holdLimit) {
        public static final Config DEFAULT = new Config(64, 60_000_000_000L, 1_000_000_000L, 3, 20_000_000_000L, 4);

        public Config {
            if (capacity < 1 || capacity > (1 << 20)) {
                throw new IllegalArgumentException("capacity must be 1..2^20 entries: " + capacity);
            }
            if (lifetimeNs <= 0 || retryIntervalNs <= 0 || holdDownNs < 0) {
                throw new IllegalArgumentException("lifetime and retry interval must be > 0, hold-down >= 0: "
                        + lifetimeNs + ", " + retryIntervalNs + ", " + holdDownNs);
            }
            if (maxRequests < 1 || holdLimit < 1) {
                throw new IllegalArgumentException("maxRequests and holdLimit must be >= 1: " + maxRequests + ", " + holdLimit);
            }
        }

        public Config withCapacity(int v) {
            return new Config(v, lifetimeNs, retryIntervalNs, maxRequests, holdDownNs, holdLimit);
        }

        public Config withLifetimeNs(long v) {
            return new Config(capacity, v, retryIntervalNs, maxRequests, holdDownNs, holdLimit);
        }

        public Config withRetry(long intervalNs, int requests) {
            return new Config(capacity, lifetimeNs, intervalNs, requests, holdDownNs, holdLimit);
        }

        public Config withHoldDownNs(long v) {
            return new Config(capacity, lifetimeNs, retryIntervalNs, maxRequests, v, holdLimit);
        }

        public Config withHoldLimit(int v) {
            return new Config(capacity, lifetimeNs, retryIntervalNs, maxRequests, holdDownNs, v);
        }
    }

    /** Entry states; FREE slots are on the free list. */
    public enum State { FREE, INCOMPLETE, COMPLETE, FAILED, STATIC }

    private static final State[] STATES = State.values();
    private static final byte FREE = 0;
    private static final byte INCOMPLETE = 1;
    private static final byte COMPLETE = 2;
    private static final byte FAILED = 3;
    private static final byte STATIC = 4;

    private final Config config;
    private final int holdLimit;

    // ---- entries, one slot each (parallel arrays: no object per entry)
    private final int[] ip;
    private final byte[] state;
    private final long[] mac;
    /** INCOMPLETE: next request or give-up; COMPLETE: end of life; FAILED: end of hold-down; else NEVER. */
    private final long[] deadlineNs;
    /** Requests sent for the current resolution. */
    private final int[] requests;
    /** Held handles: a ring of holdLimit per slot. */
    private final long[] held;
    private final int[] heldHead;
    private final int[] heldCount;
    private final int[] freeSlots;
    private int freeCount;

    // ---- index: open addressing with linear probing, slot + 1 per cell, 0 empty
    private final int[] index;
    private final int indexShift;

    private long nextTimerNs = NEVER;
    private boolean timerDirty;
    private boolean busy;

    // ---- statistics
    private long hits;
    private long misses;
    private long requestsSent;
    private long resolved;
    private long failures;
    private long expirations;
    private long evictions;
    private long unreachableAnswers;
    private long heldOverflowDrops;
    private long heldFailureDrops;
    private long heldEvictionDrops;

    public ArpCache() {
        this(Config.DEFAULT);
    }

    public ArpCache(Config config) {
        this.config = config;
        int n = config.capacity();
        this.holdLimit = config.holdLimit();
        ip = new int[n];
        state = new byte[n];
        mac = new long[n];
        deadlineNs = new long[n];
        requests = new int[n];
        held = new long[Math.multiplyExact(n, holdLimit)];
        heldHead = new int[n];
        heldCount = new int[n];
        freeSlots = new int[n];
        for (int i = 0; i < n; i++) {
            freeSlots[i] = n - 1 - i;
        }
        freeCount = n;
        int bits = 32 - Integer.numberOfLeadingZeros(2 * n - 1);   // at most half full
        index = new int[1 << Math.max(bits, 1)];
        indexShift = 32 - Integer.numberOfTrailingZeros(index.length);
        Arrays.fill(deadlineNs, NEVER);
    }

    public Config config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------
    // Queries
    // ------------------------------------------------------------------------------------------

    /**
     * The Ethernet address of {@code ipAddr}, or {@link #MISS} if there is no entry, it is not
     * resolved yet, or its lifetime ended at or before {@code nowNs} (even if {@link #expire} has
     * not run yet). Allocates nothing, changes nothing but the hit/miss counters.
     */
    public long lookup(int ipAddr, long nowNs) {
        int s = find(ipAddr);
        if (s >= 0 && (state[s] == STATIC || (state[s] == COMPLETE && nowNs < deadlineNs[s]))) {
            hits++;
            return mac[s];
        }
        misses++;
        return MISS;
    }

    /** The state of {@code ipAddr}'s entry as last changed (FREE if none; lifetimes end in {@link #expire}). */
    public State state(int ipAddr) {
        int s = find(ipAddr);
        return s < 0 ? State.FREE : STATES[state[s]];
    }

    /** Handles held for {@code ipAddr}. */
    public int heldCount(int ipAddr) {
        int s = find(ipAddr);
        return s < 0 ? 0 : heldCount[s];
    }

    /** Entries in use. */
    public int size() {
        return ip.length - freeCount;
    }

    /** Held handles, all addresses. */
    public int heldTotal() {
        int n = 0;
        for (int c : heldCount) {
            n += c;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // The output path
    // ------------------------------------------------------------------------------------------

    /**
     * Where to send a packet for {@code ipAddr}: its Ethernet address if known (the handle is
     * not kept), else {@link #HELD} (the cache keeps {@code handle} and starts resolving if it
     * was not), else {@link #UNREACHABLE} (the address failed within the hold-down, or the table
     * is full of entries that cannot be evicted; the handle is not kept, the caller drops it).
     */
    public long resolve(int ipAddr, long handle, long nowNs, Actions actions) {
        enter();
        try {
            int s = find(ipAddr);
            if (s >= 0) {
                switch (state[s]) {
                    case STATIC -> {
                        hits++;
                        return mac[s];
                    }
                    case COMPLETE -> {
                        if (nowNs < deadlineNs[s]) {
                            hits++;
                            return mac[s];
                        }
                        startResolution(s, nowNs);   // lifetime over, expire() not run yet
                        actions.sendRequest(ipAddr);
                    }
                    case FAILED -> {
                        if (nowNs < deadlineNs[s]) {
                            unreachableAnswers++;
                            return UNREACHABLE;
                        }
                        startResolution(s, nowNs);
                        actions.sendRequest(ipAddr);
                    }
                    default -> {
                        // INCOMPLETE: a request is out; the timer sends the next one.
                    }
                }
            } else {
                s = allocate(ipAddr, nowNs, actions);
                if (s < 0) {
                    unreachableAnswers++;
                    return UNREACHABLE;
                }
                startResolution(s, nowNs);
                actions.sendRequest(ipAddr);
            }
            misses++;
            hold(s, handle, actions);
            return HELD;
        } finally {
            busy = false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // The input path
    // ------------------------------------------------------------------------------------------

    /**
     * Records that {@code ipAddr} is at {@code macAddr}, creating the entry if needed, for a
     * full lifetime from {@code nowNs}; held packets go out through
     * {@link Actions#transmitHeld}, oldest first. A static entry is left as it is.
     * RFC 826's receiver creates an entry only when it is the target; use {@link #update}
     * for the other packets it hears.
     *
     * @return false if no entry could be made (only a table full of static entries refuses)
     */
    public boolean learn(int ipAddr, long macAddr, long nowNs, Actions actions) {
        enter();
        try {
            int s = find(ipAddr);
            if (s < 0) {
                s = allocate(ipAddr, nowNs, actions);
                if (s < 0) {
                    return false;
                }
            }
            complete(s, macAddr, nowNs, actions);
            return true;
        } finally {
            busy = false;
        }
    }

    /**
     * RFC 826's merge step: if {@code ipAddr} has an entry (waiting, resolved or failed), it is now
     * at {@code macAddr} for a full lifetime and its held packets go out. Nothing is created.
     *
     * @return true if there was an entry ("merge_flag")
     */
    public boolean update(int ipAddr, long macAddr, long nowNs, Actions actions) {
        enter();
        try {
            int s = find(ipAddr);
            if (s < 0) {
                return false;
            }
            complete(s, macAddr, nowNs, actions);
            return true;
        } finally {
            busy = false;
        }
    }

    /** A permanent entry (configuration: the peer, the gateway). Held packets go out. */
    public boolean putStatic(int ipAddr, long macAddr, Actions actions) {
        enter();
        try {
            int s = find(ipAddr);
            if (s < 0) {
                s = allocate(ipAddr, Long.MIN_VALUE, actions);
                if (s < 0) {
                    return false;
                }
            }
            state[s] = STATIC;
            mac[s] = macAddr;
            deadlineNs[s] = NEVER;
            requests[s] = 0;
            timerDirty = true;
            transmitHeld(s, actions);
            return true;
        } finally {
            busy = false;
        }
    }

    /** Removes {@code ipAddr}'s entry, static or not, dropping its held packets. */
    public boolean remove(int ipAddr, Actions actions) {
        enter();
        try {
            int s = find(ipAddr);
            if (s < 0) {
                return false;
            }
            heldEvictionDrops += heldCount[s];
            free(s, actions);
            return true;
        } finally {
            busy = false;
        }
    }

    /** Removes every entry, dropping every held packet. */
    public void clear(Actions actions) {
        enter();
        try {
            for (int s = 0; s < ip.length; s++) {
                if (state[s] != FREE) {
                    heldEvictionDrops += heldCount[s];
                    free(s, actions);
                }
            }
        } finally {
            busy = false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Timers
    // ------------------------------------------------------------------------------------------

    /** The earliest time {@link #expire} has something to do, {@link #NEVER} if none. */
    public long nextTimerNs() {
        if (timerDirty) {
            long t = NEVER;
            for (int s = 0; s < ip.length; s++) {
                if (state[s] != FREE && deadlineNs[s] < t) {
                    t = deadlineNs[s];
                }
            }
            nextTimerNs = t;
            timerDirty = false;
        }
        return nextTimerNs;
    }

    /**
     * Does what is due at {@code nowNs}: entries whose lifetime or hold-down ended are removed;
     * an address still waiting is asked again (up to {@code maxRequests} requests in all), or,
     * when the last request went unanswered for a retry interval, given up: its held packets
     * are dropped and it answers {@link #UNREACHABLE} for the hold-down.
     *
     * @return the number of entries that changed
     */
    public int expire(long nowNs, Actions actions) {
        enter();
        try {
            if (nowNs < nextTimerNs()) {
                return 0;
            }
            int changed = 0;
            for (int s = 0; s < ip.length; s++) {
                if (state[s] == FREE || deadlineNs[s] > nowNs) {
                    continue;
                }
                changed++;
                timerDirty = true;
                switch (state[s]) {
                    case COMPLETE -> {
                        expirations++;
                        free(s, actions);
                    }
                    case FAILED -> free(s, actions);
                    case INCOMPLETE -> {
                        if (requests[s] < config.maxRequests()) {
                            requests[s]++;
                            requestsSent++;
                            deadlineNs[s] = nowNs + config.retryIntervalNs();
                            actions.sendRequest(ip[s]);
                        } else {
                            failures++;
                            if (config.holdDownNs() > 0) {
                                state[s] = FAILED;
                                deadlineNs[s] = nowNs + config.holdDownNs();
                                heldFailureDrops += heldCount[s];
                                dropHeld(s, actions);
                            } else {
                                heldFailureDrops += heldCount[s];
                                free(s, actions);
                            }
                        }
                    }
                    default -> throw new AssertionError("static entries have no deadline");
                }
            }
            return changed;
        } finally {
            busy = false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------------------------------

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** ARP requests asked for, first requests and retries. */
    public long requestsSent() {
        return requestsSent;
    }

    /** Waiting or failed entries that learnt their address. */
    public long resolved() {
        return resolved;
    }

    /** Resolutions given up after the last request. */
    public long failures() {
        return failures;
    }

    /** Resolved entries whose lifetime ended. */
    public long expirations() {
        return expirations;
    }

    /** Entries pushed out to make room for another address. */
    public long evictions() {
        return evictions;
    }

    /** {@link #resolve} calls answered {@link #UNREACHABLE}. */
    public long unreachableAnswers() {
        return unreachableAnswers;
    }

    /** Held packets dropped because more than holdLimit waited for one address. */
    public long heldOverflowDrops() {
        return heldOverflowDrops;
    }

    /** Held packets dropped because their address did not answer. */
    public long heldFailureDrops() {
        return heldFailureDrops;
    }

    /** Held packets dropped because their entry was evicted or removed. */
    public long heldEvictionDrops() {
        return heldEvictionDrops;
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    private void enter() {
        if (busy) {
            throw new IllegalStateException("ArpCache called from one of its own Actions");
        }
        busy = true;
    }

    private void startResolution(int s, long nowNs) {
        state[s] = INCOMPLETE;
        requests[s] = 1;
        requestsSent++;
        deadlineNs[s] = nowNs + config.retryIntervalNs();
        timerDirty = true;
    }

    private void complete(int s, long macAddr, long nowNs, Actions actions) {
        if (state[s] == STATIC) {
            return;
        }
        if (state[s] != COMPLETE) {
            resolved++;
        }
        state[s] = COMPLETE;
        mac[s] = macAddr;
        deadlineNs[s] = nowNs + config.lifetimeNs();
        requests[s] = 0;
        timerDirty = true;
        transmitHeld(s, actions);
    }

    private void hold(int s, long handle, Actions actions) {
        int base = s * holdLimit;
        if (heldCount[s] == holdLimit) {
            long oldest = held[base + heldHead[s]];
            heldHead[s] = (heldHead[s] + 1) % holdLimit;
            heldCount[s]--;
            heldOverflowDrops++;
            actions.dropHeld(oldest, ip[s]);
        }
        held[base + (heldHead[s] + heldCount[s]) % holdLimit] = handle;
        heldCount[s]++;
    }

    private void transmitHeld(int s, Actions actions) {
        int base = s * holdLimit;
        int n = heldCount[s];
        int head = heldHead[s];
        heldCount[s] = 0;
        heldHead[s] = 0;
        for (int i = 0; i < n; i++) {
            actions.transmitHeld(held[base + (head + i) % holdLimit], ip[s], mac[s]);
        }
    }

    private void dropHeld(int s, Actions actions) {
        int base = s * holdLimit;
        int n = heldCount[s];
        int head = heldHead[s];
        heldCount[s] = 0;
        heldHead[s] = 0;
        for (int i = 0; i < n; i++) {
            actions.dropHeld(held[base + (head + i) % holdLimit], ip[s]);
        }
    }

    /**
     * A slot for a new entry of {@code ipAddr}, indexed. When the table is full, evicts, in this
     * order: a failed or expired entry, the resolved entry closest to the end of its life, the
     * waiting entry closest to giving up (its held packets dropped). Static entries stay.
     *
     * @return the slot, or -1 if every entry is static
     */
    private int allocate(int ipAddr, long nowNs, Actions actions) {
        if (freeCount == 0) {
            int victim = -1;
            int victimRank = Integer.MAX_VALUE;
            for (int s = 0; s < ip.length; s++) {
                int rank = switch (state[s]) {
                    case FAILED -> 0;
                    case COMPLETE -> deadlineNs[s] <= nowNs ? 0 : 1;
                    case INCOMPLETE -> 2;
                    default -> Integer.MAX_VALUE;
                };
                if (rank < victimRank || (rank == victimRank && rank != Integer.MAX_VALUE && deadlineNs[s] < deadlineNs[victim])) {
                    victim = s;
                    victimRank = rank;
                }
            }
            if (victim < 0) {
                return -1;
            }
            evictions++;
            heldEvictionDrops += heldCount[victim];
            free(victim, actions);
        }
        int s = freeSlots[--freeCount];
        ip[s] = ipAddr;
        indexInsert(s);
        return s;
    }

    /** Returns slot {@code s} to the free list, dropping its held packets (the caller counts them). */
    private void free(int s, Actions actions) {
        dropHeld(s, actions);
        indexRemove(s);
        state[s] = FREE;
        deadlineNs[s] = NEVER;
        requests[s] = 0;
        freeSlots[freeCount++] = s;
        timerDirty = true;
    }

    private int home(int key) {
        return (key * 0x9E3779B9) >>> indexShift;
    }

    private int find(int key) {
        int mask = index.length - 1;
        for (int i = home(key); ; i = (i + 1) & mask) {
            int cell = index[i];
            if (cell == 0) {
                return -1;
            }
            if (ip[cell - 1] == key) {
                return cell - 1;
            }
        }
    }

    private void indexInsert(int s) {
        int mask = index.length - 1;
        int i = home(ip[s]);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = s + 1;
    }

    /** Removes slot {@code s} from the index, shifting later cells of the probe run back (Knuth 6.4 Algorithm R). */
    private void indexRemove(int s) {
        int mask = index.length - 1;
        int i = home(ip[s]);
        while (index[i] != s + 1) {
            i = (i + 1) & mask;
        }
        index[i] = 0;
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int k = home(ip[index[j] - 1]);
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                index[i] = index[j];
                index[j] = 0;
                i = j;
            }
        }
    }
}

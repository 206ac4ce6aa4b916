package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import nemesis.wire.Ipv4Packet;

/**
 * Puts fragmented IPv4 datagrams back together (RFC 791 §3.2 "Reassembly"; RFC 815 for the idea
 * of tracking holes rather than fragments; RFC 1122 §3.3.2). Pure: no threads, no clock; every
 * call takes the time and {@link #nextTimerNs()} says when to call {@link #expire}.
 *
 * <p><b>Key and buffer.</b> Fragments belong together when source, destination, protocol and
 * identification agree. The first fragment of a datagram takes a buffer from the
 * {@link BufferSource}; data goes straight to its place, {@link #HEADER_ROOM} bytes in, so the
 * header of the fragment at offset 0 can be put right before it. Which 8-byte blocks have
 * arrived is a bitmap per datagram; the datagram is complete when the last fragment (MF clear)
 * has fixed the length and every block up to it has arrived. Then the buffer is handed to the
 * caller ({@link #completedBuffer()}), who releases it to the source when done.
 *
 * <p><b>Overlaps.</b> Bytes that arrive twice must be equal: an overlapping fragment whose bytes
 * agree with those already held adds only its new bytes (duplicates and re-fragmentations by a
 * router on another path are normal), but one that disagrees drops the whole datagram
 * ({@link Outcome#DROPPED_CONFLICT}). So no data is ever overwritten, and no reader can see a
 * datagram other than the one we deliver: the ambiguity that overlapping-fragment attacks rely
 * on (teardrop; filter evasion, RFC 1858 §3.2 and RFC 3128) cannot arise. Linux drops every
 * overlapping datagram since 4.19; we accept the agreeing ones so that duplicated fragments do
 * not cost the datagram. A second "last fragment" with another end, or data past the known end,
 * is a conflict too.
 *
 * <p><b>Other drops</b>, each counted: a fragment with MF set whose data is not a positive
 * multiple of 8 (RFC 791 requires it; BSD drops it), or an empty one ({@link Outcome#DROPPED_MALFORMED});
 * data past {@code maxDatagramBytes} ("ping of death", the whole datagram, {@link Outcome#DROPPED_TOO_BIG});
 * no buffer free ({@link Outcome#DROPPED_NO_BUFFER}). When {@code maxInProgress} datagrams are being
 * reassembled, a new one evicts the oldest (BSD's {@code ip_reass} frees the oldest queue
 * likewise).
 *
 * <p><b>Time.</b> A datagram must be complete within {@code timeoutNs} of its first fragment
 * (30 s by default: RFC 791 recommends starting the timer at 15 s; BSD's {@code IPFRAGTTL} and Linux's
 * {@code ipfrag_time} are 30 s); at that instant it is dropped and its buffer released, whether
 * {@link #expire} or {@link #offer} notices first. No ICMP "reassembly time exceeded" is
 * generated here (XXX: the caller could, from fragment zero's header; we do not keep it).
 *
 * <p><b>Exactly once.</b> A completed or dropped datagram leaves a tombstone until the end of
 * its timeout, so its late duplicates are dropped ({@link Outcome#DUPLICATE},
 * {@link Outcome#DROPPED_STALE}) instead of starting a new reassembly. A sender may not reuse an
 * identification for the same source, destination and protocol within the datagram's lifetime
 * (RFC 791 §3.2 "Identification"; RFC 6864), so no legitimate datagram is lost to a tombstone. Tombstones
 * hold no buffer and give way when a slot is needed.
 *
 * <p>Per fragment: O(maxInProgress) to find the datagram, O(fragment bytes) to copy or compare,
 * no allocation. Not thread-safe.
 */
public final class Ipv4Reassembler {
    /** Room kept before the data for the largest IPv4 header. */
    public static final int HEADER_ROOM = Ipv4Packet.MAX_HEADER_LEN;
    /** RFC 791 recommends 15 s to start with; BSD ({@code IPFRAGTTL}) and Linux use 30 s. */
    public static final long DEFAULT_TIMEOUT_NS = 30_000_000_000L;
    public static final int DEFAULT_MAX_IN_PROGRESS = 16;
    public static final long NEVER = Long.MAX_VALUE;

    /** What {@link #offer} did with a fragment. */
    public enum Outcome {
        /** Not a fragment (MF clear, offset 0): the caller uses the datagram as it is. */
        NOT_FRAGMENT,
        /** Kept; the datagram is not complete yet. */
        HELD,
        /** Nothing new: every byte was already held (and agreed), or the datagram was already delivered. */
        DUPLICATE,
        /** The datagram is complete: see {@link #completedBuffer()}; the caller now owns that buffer. */
        COMPLETE,
        /** MF set with data not a positive multiple of 8, or no data: the fragment is dropped. */
        DROPPED_MALFORMED,
        /** The datagram would exceed the maximum size: it is dropped whole. */
        DROPPED_TOO_BIG,
        /** Overlapping bytes differ, or the ends disagree: the datagram is dropped whole. */
        DROPPED_CONFLICT,
        /** No buffer for a new datagram: the fragment is dropped. */
        DROPPED_NO_BUFFER,
        /** The datagram was dropped earlier (conflict, too big, evicted): the fragment is dropped too. */
        DROPPED_STALE
    }

    private static final byte FREE = 0;
    private static final byte ASSEMBLING = 1;
    /** Delivered: late fragments are duplicates. */
    private static final byte DONE = 2;
    /** Dropped: late fragments are stale. */
    private static final byte DEAD = 3;

    private final BufferSource buffers;
    private final int maxInProgress;
    private final long timeoutNs;
    private final int maxDatagramBytes;
    /** Data bytes a datagram may hold: the maximum less a minimal header. */
    private final int maxDataBytes;
    private final int wordsPerSlot;

    // ---- per slot (twice maxInProgress: datagrams in progress, plus tombstones)
    private final byte[] state;
    private final int[] keySrc;
    private final int[] keyDst;
    /** Protocol << 16 | identification. */
    private final int[] keyProtoId;
    private final long[] buffer;
    /** First fragment's arrival + timeout. */
    private final long[] deadlineNs;
    /** Data length, known once the last fragment came; -1 before. */
    private final int[] dataLength;
    /** The furthest end of data seen. */
    private final int[] maxEnd;
    /** Header length of the fragment at offset 0; 0 before it came. */
    private final int[] firstHeaderLength;
    private final int[] blocksHeld;
    /** One bit per 8-byte block of data, {@code wordsPerSlot} longs per slot. */
    private final long[] blocks;
    private int assembling;
    private final Ipv4Packet header = new Ipv4Packet();

    // ---- the last completed datagram
    private long completedBuffer = BufferSource.NONE;
    private long completedOffset;
    private int completedLength;

    // ---- statistics
    private long fragments;
    private long completed;
    private long duplicates;
    private long malformed;
    private long tooBig;
    private long conflicts;
    private long noBuffer;
    private long stale;
    private long timeouts;
    private long evictions;

    /** 16 datagrams at once, 30 s, datagrams up to 65535 bytes. */
    public Ipv4Reassembler(BufferSource buffers) {
        this(buffers, DEFAULT_MAX_IN_PROGRESS, DEFAULT_TIMEOUT_NS, Ipv4Packet.MAX_TOTAL_LENGTH);
    }

    /**
     * @param maxDatagramBytes the largest datagram to rebuild, header included: 68..65535
     * @throws IllegalArgumentException if the source's buffers are smaller than
     *         {@link #bufferCapacityFor(int) bufferCapacityFor(maxDatagramBytes)}
     */
    public Ipv4Reassembler(BufferSource buffers, int maxInProgress, long timeoutNs, int maxDatagramBytes) {
        if (maxInProgress < 1 || timeoutNs <= 0
                || maxDatagramBytes < Ipv4Packet.MIN_MTU || maxDatagramBytes > Ipv4Packet.MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException("need maxInProgress >= 1, timeout > 0, max datagram 68..65535: "
                    + maxInProgress + ", " + timeoutNs + ", " + maxDatagramBytes);
        }
        if (buffers.bufferCapacity() < bufferCapacityFor(maxDatagramBytes)) {
            throw new IllegalArgumentException("buffers of " + buffers.bufferCapacity() + " bytes cannot hold a "
                    + maxDatagramBytes + "-byte datagram: need " + bufferCapacityFor(maxDatagramBytes));
        }
        this.buffers = buffers;
        this.maxInProgress = maxInProgress;
        this.timeoutNs = timeoutNs;
        this.maxDatagramBytes = maxDatagramBytes;
        this.maxDataBytes = maxDatagramBytes - Ipv4Packet.MIN_HEADER_LEN;
        this.wordsPerSlot = ((maxDataBytes + 7) / 8 + 63) / 64;
        int slots = 2 * maxInProgress;
        state = new byte[slots];
        keySrc = new int[slots];
        keyDst = new int[slots];
        keyProtoId = new int[slots];
        buffer = new long[slots];
        deadlineNs = new long[slots];
        dataLength = new int[slots];
        maxEnd = new int[slots];
        firstHeaderLength = new int[slots];
        blocksHeld = new int[slots];
        blocks = new long[slots * wordsPerSlot];
        Arrays.fill(buffer, BufferSource.NONE);
    }

    /** The buffer size needed for datagrams up to {@code maxDatagramBytes}: header room plus data. */
    public static int bufferCapacityFor(int maxDatagramBytes) {
        return HEADER_ROOM + maxDatagramBytes - Ipv4Packet.MIN_HEADER_LEN;
    }

    // ------------------------------------------------------------------------------------------
    // Fragments in
    // ------------------------------------------------------------------------------------------

    /**
     * Takes one fragment. {@code ip} must have passed {@link Ipv4Packet#validate}; the fragment's
     * bytes are copied, so its buffer is the caller's again on return.
     */
    public Outcome offer(Ipv4Packet ip, long nowNs) {
        if (!ip.isFragment()) {
            return Outcome.NOT_FRAGMENT;
        }
        fragments++;
        int src = ip.src();
        int dst = ip.dst();
        int protoId = (ip.protocol() << 16) | ip.identification();
        int off = ip.fragmentOffset();
        int len = ip.payloadLength();
        int end = off + len;
        boolean more = ip.moreFragments();

        int s = find(src, dst, protoId, nowNs);
        if (s >= 0 && state[s] == DONE) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        if (s >= 0 && state[s] == DEAD) {
            stale++;
            return Outcome.DROPPED_STALE;
        }
        if (len == 0 || (more && (len & 7) != 0)) {
            malformed++;
            return Outcome.DROPPED_MALFORMED;
        }
        int knownHl = s >= 0 ? firstHeaderLength[s] : 0;
        int hl = knownHl > 0 ? knownHl : (off == 0 ? ip.headerLength() : 0);
        if (end > maxDataBytes || (hl > 0 && hl + Math.max(end, s >= 0 ? maxEnd[s] : 0) > maxDatagramBytes)) {
            tooBig++;
            if (s >= 0) {
                kill(s);
            }
            return Outcome.DROPPED_TOO_BIG;
        }
        if (s < 0) {
            s = create(src, dst, protoId, nowNs);
            if (s < 0) {
                noBuffer++;
                return Outcome.DROPPED_NO_BUFFER;
            }
        }

        // The ends must agree: one length for the datagram, no data past it.
        if (!more) {
            if ((dataLength[s] >= 0 && dataLength[s] != end) || maxEnd[s] > end) {
                return conflict(s);
            }
        } else if (dataLength[s] >= 0 && end > dataLength[s]) {
            return conflict(s);
        }

        MemorySegment seg = buffers.segment(buffer[s]);
        long data = buffers.offset(buffer[s]) + HEADER_ROOM;
        MemorySegment from = ip.segment();
        long fromData = ip.payloadOffset();
        int base = s * wordsPerSlot;
        int firstBlock = off >>> 3;
        int endBlock = (end + 7) >>> 3;
        // Compare every run of blocks already held; only then copy the runs that are new,
        // so a conflicting fragment changes nothing before it is refused.
        for (int b = nextSet(base, firstBlock, endBlock); b < endBlock; ) {
            int runEnd = nextClear(base, b, endBlock);
            long lo = Math.max((long) b << 3, off);
            long hi = Math.min((long) runEnd << 3, end);
            if (MemorySegment.mismatch(from, fromData + (lo - off), fromData + (hi - off), seg, data + lo, data + hi) >= 0) {
                return conflict(s);
            }
            b = nextSet(base, runEnd, endBlock);
        }
        int added = 0;
        for (int b = nextClear(base, firstBlock, endBlock); b < endBlock; ) {
            int runEnd = nextSet(base, b, endBlock);
            long lo = Math.max((long) b << 3, off);
            long hi = Math.min((long) runEnd << 3, end);
            MemorySegment.copy(from, fromData + (lo - off), seg, data + lo, hi - lo);
            setRange(base, b, runEnd);
            added += runEnd - b;
            b = nextClear(base, runEnd, endBlock);
        }
        blocksHeld[s] += added;
        if (!more) {
            dataLength[s] = end;
        }
        maxEnd[s] = Math.max(maxEnd[s], end);
        if (off == 0 && firstHeaderLength[s] == 0) {
            firstHeaderLength[s] = hl;
            MemorySegment.copy(from, ip.offset(), seg, data - hl, hl);
        }

        if (dataLength[s] >= 0 && blocksHeld[s] == (dataLength[s] + 7) >>> 3) {
            finish(s, seg, data);
            return Outcome.COMPLETE;
        }
        if (added == 0) {
            duplicates++;
            return Outcome.DUPLICATE;
        }
        return Outcome.HELD;
    }

    // ------------------------------------------------------------------------------------------
    // The completed datagram (valid after offer() returned COMPLETE, until the next offer)
    // ------------------------------------------------------------------------------------------

    /** The buffer holding the last completed datagram; the caller owns it and releases it to the source. */
    public long completedBuffer() {
        return completedBuffer;
    }

    public MemorySegment completedSegment() {
        return buffers.segment(completedBuffer);
    }

    /** Where the datagram (header first) starts in {@link #completedSegment()}. */
    public long completedOffset() {
        return completedOffset;
    }

    /** Its Total Length. */
    public int completedLength() {
        return completedLength;
    }

    // ------------------------------------------------------------------------------------------
    // Timers
    // ------------------------------------------------------------------------------------------

    /** When the oldest datagram in progress times out; {@link #NEVER} if none. */
    public long nextTimerNs() {
        long t = NEVER;
        for (int s = 0; s < state.length; s++) {
            if (state[s] == ASSEMBLING && deadlineNs[s] < t) {
                t = deadlineNs[s];
            }
        }
        return t;
    }

    /**
     * Drops every datagram whose first fragment came {@code timeoutNs} or longer before
     * {@code nowNs}, releasing its buffer.
     *
     * @return the number dropped
     */
    public int expire(long nowNs) {
        int n = 0;
        for (int s = 0; s < state.length; s++) {
            if (state[s] != FREE && deadlineNs[s] <= nowNs) {
                if (state[s] == ASSEMBLING) {
                    timeouts++;
                    n++;
                }
                release(s);
            }
        }
        return n;
    }

    /** Drops everything in progress and every tombstone, releasing the buffers (shutdown). */
    public void clear() {
        for (int s = 0; s < state.length; s++) {
            if (state[s] != FREE) {
                release(s);
            }
        }
    }

    /** Datagrams being reassembled, each holding one buffer. */
    public int inProgress() {
        return assembling;
    }

    // ------------------------------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------------------------------

    /** Fragments offered (not counting datagrams that were not fragments). */
    public long fragments() {
        return fragments;
    }

    public long completed() {
        return completed;
    }

    /** Fragments that brought nothing new, including those of datagrams already delivered. */
    public long duplicates() {
        return duplicates;
    }

    public long malformed() {
        return malformed;
    }

    /** Datagrams dropped for exceeding the maximum size. */
    public long tooBig() {
        return tooBig;
    }

    /** Datagrams dropped for disagreeing overlaps or ends. */
    public long conflicts() {
        return conflicts;
    }

    /** Fragments dropped for want of a buffer. */
    public long noBuffer() {
        return noBuffer;
    }

    /** Fragments of datagrams dropped earlier. */
    public long stale() {
        return stale;
    }

    /** Datagrams dropped incomplete at their timeout. */
    public long timeouts() {
        return timeouts;
    }

    /** Datagrams dropped incomplete to make room for a new one. */
    public long evictions() {
        return evictions;
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    /** The slot of a live datagram or tombstone with this key, or -1; frees it first if its time is up. */
    private int find(int src, int dst, int protoId, long nowNs) {
        for (int s = 0; s < state.length; s++) {
            if (state[s] != FREE && keySrc[s] == src && keyDst[s] == dst && keyProtoId[s] == protoId) {
                if (deadlineNs[s] <= nowNs) {
                    if (state[s] == ASSEMBLING) {
                        timeouts++;
                    }
                    release(s);
                    return -1;
                }
                return s;
            }
        }
        return -1;
    }

    /** A slot with a buffer for a new datagram, evicting the oldest if at the limit; -1 if no buffer. */
    private int create(int src, int dst, int protoId, long nowNs) {
        if (assembling == maxInProgress) {
            int oldest = -1;
            for (int s = 0; s < state.length; s++) {
                if (state[s] == ASSEMBLING && (oldest < 0 || deadlineNs[s] < deadlineNs[oldest])) {
                    oldest = s;
                }
            }
            evictions++;
            kill(oldest);
        }
        // A free slot, else the tombstone nearest its end: there are 2 * maxInProgress slots and
        // fewer than maxInProgress datagrams in progress, so one of the two exists.
        int s = -1;
        for (int i = 0; i < state.length; i++) {
            if (state[i] == FREE) {
                s = i;
                break;
            }
            if (state[i] != ASSEMBLING && (s < 0 || deadlineNs[i] < deadlineNs[s])) {
                s = i;
            }
        }
        long b = buffers.acquire();
        if (b == BufferSource.NONE) {
            return -1;
        }
        release(s);   // a tombstone gives way
        state[s] = ASSEMBLING;
        keySrc[s] = src;
        keyDst[s] = dst;
        keyProtoId[s] = protoId;
        buffer[s] = b;
        deadlineNs[s] = nowNs + timeoutNs;
        dataLength[s] = -1;
        maxEnd[s] = 0;
        firstHeaderLength[s] = 0;
        blocksHeld[s] = 0;
        Arrays.fill(blocks, s * wordsPerSlot, (s + 1) * wordsPerSlot, 0L);
        assembling++;
        return s;
    }

    private Outcome conflict(int s) {
        conflicts++;
        kill(s);
        return Outcome.DROPPED_CONFLICT;
    }

    /** Drops a datagram in progress, leaving a tombstone until its deadline. */
    private void kill(int s) {
        if (state[s] == ASSEMBLING) {
            buffers.release(buffer[s]);
            buffer[s] = BufferSource.NONE;
            assembling--;
        }
        state[s] = DEAD;
    }

    /** Frees a slot, releasing its buffer if it holds one. */
    private void release(int s) {
        if (state[s] == ASSEMBLING) {
            buffers.release(buffer[s]);
            buffer[s] = BufferSource.NONE;
            assembling--;
        }
        state[s] = FREE;
    }

    /** Writes the whole datagram's header before the data and hands the buffer over. */
    private void finish(int s, MemorySegment seg, long data) {
        int hl = firstHeaderLength[s];
        int total = hl + dataLength[s];
        header.wrap(seg, data - hl, total)
                .totalLength(total)
                .flagsAndFragmentOffset(header.flagsAndFragmentOffset() & (Ipv4Packet.FLAG_RESERVED | Ipv4Packet.FLAG_DF))
                .fillChecksum();
        completedBuffer = buffer[s];
        completedOffset = data - hl;
        completedLength = total;
        buffer[s] = BufferSource.NONE;
        state[s] = DONE;
        assembling--;
        completed++;
    }

    // ---- the block bitmap

    /** The first set bit in [from, to), or {@code to}. */
    private int nextSet(int base, int from, int to) {
        if (from >= to) {
            return to;
        }
        int w = from >>> 6;
        long word = blocks[base + w] & (-1L << from);
        while (word == 0) {
            if (++w << 6 >= to) {
                return to;
            }
            word = blocks[base + w];
        }
        return Math.min((w << 6) + Long.numberOfTrailingZeros(word), to);
    }

    /** The first clear bit in [from, to), or {@code to}. */
    private int nextClear(int base, int from, int to) {
        if (from >= to) {
            return to;
        }
        int w = from >>> 6;
        long word = ~blocks[base + w] & (-1L << from);
        while (word == 0) {
            if (++w << 6 >= to) {
                return to;
            }
            word = ~blocks[base + w];
        }
        return Math.min((w << 6) + Long.numberOfTrailingZeros(word), to);
    }

    private void setRange(int base, int from, int to) {
        int w0 = from >>> 6;
        int w1 = (to - 1) >>> 6;
        long first = -1L << from;
        long last = -1L >>> -to;   // bits below (to mod 64), all 64 when to is a multiple of 64
        if (w0 == w1) {
            blocks[base + w0] |= first & last;
            return;
        }
        blocks[base + w0] |= first;
        for (int w = w0 + 1; w < w1; w++) {
            blocks[base + w] = -1L;
        }
        blocks[base + w1] |= last;
    }
}

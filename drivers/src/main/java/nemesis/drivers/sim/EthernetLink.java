package nemesis.drivers.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A simulated full-duplex point-to-point Ethernet between end {@link End#A} (the Nemesis host's
 * NIC) and end {@link End#B} (the peer), with fault injection and an optional capture.
 *
 * <h2>Read this first</h2>
 * Pure and deterministic: no threads, no clock. Time comes in as {@code nowNs} on
 * {@link #send} and through the {@link Timeline} alarms the link asks for; the same config, seed,
 * link name and calls give the same deliveries, fault decisions and capture, byte for byte.
 *
 * <h2>Timing</h2>
 * Each direction has its own port that serializes one frame at a time. A frame handed over at
 * {@code now} starts at {@code max(now, busyUntil)}, occupies the wire for
 * {@link LinkConfig#serializationNs} (padded length plus overhead, rounded up to the next ns), and
 * arrives whole at the far end {@code propagationNs} after its last bit left. {@link #send}
 * returns the end of serialization: when the sending NIC is done with the frame (its
 * transmit-done interrupt).
 *
 * <h2>Faults</h2>
 * Decided when a frame starts onto the wire, by seeded streams, one per (direction, fault kind),
 * split from a root seeded by (scenario seed, link name). Each stream draws one number per frame
 * whatever happens, so a fault's decisions do not depend on the other faults' probabilities.
 * <ul>
 * <li><b>loss</b>: the frame occupies the wire and is not delivered (a drop; nothing else applies).
 * <li><b>duplicate</b>: a second copy, as sent (taken before any corruption), is delivered right
 *     after the first, as if the NIC had sent it again the instant it finished. It takes no extra
 *     wire time: the model keeps the wire budget exact for the frames the host really sent. Needs
 *     a free frame in the pool; without one the duplicate is skipped and counted.
 * <li><b>reorder</b>: the frame (and its duplicate, if any) is held back k times its own
 *     serialization time after its arrival, k uniform in 1..4, and goes after any frame arriving
 *     at the same instant: the k frames that follow it back to back overtake it.
 * <li><b>corrupt</b>: 1..3 bits flipped somewhere after the 14-byte Ethernet header, at distinct
 *     positions within a 16-bit word, so the Internet checksum (RFC 1071) of IPv4, UDP and TCP
 *     always catches it: a ones' complement sum misses only flips that cancel, two of the same bit
 *     position in opposite directions ({@link WireFaults#corrupt}, shared with the TAP card).
 *     Frames of 14 bytes or fewer are left intact (counted).
 *     XXX flips that land in Ethernet padding past the IP datagram go unnoticed, as on a real wire
 *     whose CRC had failed to catch them. An ARP frame has no checksum of its own: on a real wire
 *     only the CRC catches its corruption, so a corrupted ARP frame is dropped instead of
 *     delivered (counted as {@link LinkEvent#CORRUPT_ARP_DROPPED}; its bits are still drawn, so the
 *     fault streams do not change); delivered, a flipped sender address would be cached as the
 *     peer's and every frame sent to it lost until the entry expired.
 * </ul>
 *
 * <h2>Capture</h2>
 * The {@link Capture} sees each frame when it starts onto the wire (timestamp = start of
 * serialization), as the host sent it, before faults: a capture shows what the hosts sent, lost
 * and corrupted frames included, unchanged; duplicates appear once. Frames queued behind a busy
 * port are captured when they start, so the capture is in time order over both directions.
 *
 * <h2>Events and allocation</h2>
 * The link keeps its own schedule: a FIFO per port of frames waiting to start, and one heap of
 * frames in flight ordered by (delivery time, order of arrival). It asks the {@link Timeline} for
 * one alarm at its next event with one preallocated {@link Runnable}, and asks again only when a
 * new event comes before every alarm it already has pending (the timeline cannot cancel): in
 * steady state one alarm is pending, and sending and delivering a frame allocates nothing. A
 * frame whose port is idle starts inside {@link #send}, without an alarm. {@link #send} and each
 * alarm first start every frame whose time has come, so a late alarm never disorders the capture.
 *
 * <h2>Ownership</h2>
 * {@link #send} takes the frame; the link releases lost frames and hands the others to the far
 * end's {@link Receiver}, which releases them. {@link #framesHeld()} counts what the link holds.
 */
public final class EthernetLink {
    private static final long NEVER = Long.MAX_VALUE;

    private final String name;
    private final LinkConfig config;
    private final Timeline timeline;
    private final FramePool pool;
    private final Port[] ports = new Port[2]; // indexed by the sending End's ordinal
    private final Receiver[] receivers = new Receiver[2]; // indexed by the receiving End's ordinal
    private Capture capture;
    private LinkListener listener;

    private final InFlight inFlight = new InFlight();
    private final LongHeap alarmsNs = new LongHeap(); // times of our alarms pending in the timeline
    private final Runnable onAlarm = this::onAlarm;
    /** Latest time the link has acted at (a send or an alarm); sends may not go before it. */
    private long horizonNs;
    private final int[] flippedBits = new int[WireFaults.MAX_FLIPS]; // scratch for WireFaults.corrupt

    /**
     * @param name     names the link in logs and seeds its fault streams (with {@code seed})
     * @param seed     the scenario seed
     * @param timeline where the link asks to be woken ({@code Kernel::at} in the emulator)
     * @param pool     where duplicates come from; frames sent should come from it too
     */
    public EthernetLink(String name, LinkConfig config, long seed, Timeline timeline, FramePool pool) {
        this.name = name;
        this.config = config;
        this.timeline = timeline;
        this.pool = pool;
        SplittableRandom root = new SplittableRandom(WireFaults.seed(seed, name));
        for (End e : End.values()) {
            ports[e.ordinal()] = new Port(e, root);
        }
    }

    /** The receiver of frames arriving at {@code at} ({@code null}: arrivals there are dropped, counted). */
    public void attach(End at, Receiver receiver) {
        receivers[at.ordinal()] = receiver;
    }

    public void capture(Capture c) {
        this.capture = c;
    }

    public void listener(LinkListener l) {
        this.listener = l;
    }

    /**
     * Hands {@code frame} to the port at {@code from} at {@code nowNs}; the link owns it from now
     * on. Returns the end of its serialization: when the sending NIC is done with it.
     *
     * @throws IllegalArgumentException if {@code nowNs} is negative or before a previous send or
     *                                  alarm, or the frame is empty (the caller keeps the frame)
     */
    public long send(End from, Frame frame, long nowNs) {
        if (nowNs < horizonNs) {
            throw new IllegalArgumentException("send at " + nowNs + " ns, before link time " + horizonNs + " ns");
        }
        int len = frame.length();
        if (len <= 0) {
            throw new IllegalArgumentException("empty frame");
        }
        horizonNs = nowNs;
        Port p = ports[from.ordinal()];
        long serNs = config.serializationNs(len);
        long startNs = Math.max(nowNs, p.freeAtNs);
        long endNs = startNs + serNs;
        p.freeAtNs = endNs;
        LinkCounters c = p.counters;
        c.frames++;
        c.bytes += len;
        c.wireBytes += config.wireBytes(len);
        c.wireTimeNs += serNs;
        p.enqueue(frame, startNs, serNs, p.nextFrameNo++);
        startDue(nowNs);
        arm();
        return endNs;
    }

    /** When the port at {@code from} is free to start another frame. */
    public long busyUntil(End from) {
        return ports[from.ordinal()].freeAtNs;
    }

    public LinkCounters counters(End from) {
        return ports[from.ordinal()].counters;
    }

    /** Frames the link holds: waiting to start or in flight. 0 once the timeline has run dry. */
    public int framesHeld() {
        return ports[0].count + ports[1].count + inFlight.size;
    }

    /** The time of the link's next event (a start or an arrival), {@link Long#MAX_VALUE} if none. */
    public long nextEventNs() {
        long t = inFlight.size > 0 ? inFlight.headNs() : NEVER;
        for (Port p : ports) {
            if (p.count > 0) {
                t = Math.min(t, p.headStartNs());
            }
        }
        return t;
    }

    public String name() {
        return name;
    }

    public LinkConfig config() {
        return config;
    }

    public FramePool pool() {
        return pool;
    }

    // ---- events ------------------------------------------------------------------------------

    private void onAlarm() {
        // Alarms run in time order and we never hold two for one time: this one is our earliest.
        long tNs = alarmsNs.poll();
        horizonNs = Math.max(horizonNs, tNs);
        try {
            startDue(tNs);
            deliverDue(tNs);
        } finally {
            arm(); // even if a receiver threw: the rest must still be delivered
        }
    }

    /** Ask for an alarm at the next event unless one is already pending at or before it. */
    private void arm() {
        long next = nextEventNs();
        if (next != NEVER && (alarmsNs.size == 0 || alarmsNs.peek() > next)) {
            alarmsNs.add(next);
            timeline.at(next, onAlarm);
        }
    }

    /** Starts every waiting frame due by {@code tNs}, over both ports in order of start time. */
    private void startDue(long tNs) {
        while (true) {
            Port a = ports[0];
            Port b = ports[1];
            long ta = a.count > 0 ? a.headStartNs() : NEVER;
            long tb = b.count > 0 ? b.headStartNs() : NEVER;
            Port p = ta <= tb ? a : b; // A first on a tie: an arbitrary but fixed order
            long startNs = Math.min(ta, tb);
            if (startNs > tNs) {
                return;
            }
            long serNs = p.txSerNs[p.head];
            long frameNo = p.txFrameNo[p.head];
            Frame f = p.dequeue();
            start(p, f, startNs, serNs, frameNo);
        }
    }

    /** The frame's first bit goes out: capture it as sent, then decide its faults. */
    private void start(Port p, Frame f, long startNs, long serNs, long frameNo) {
        if (capture != null) {
            capture.frame(startNs, p.from, f);
        }
        Faults faults = config.faults();
        // One draw per stream per frame, always: see the class comment.
        boolean lost = p.lossRng.nextDouble() < faults.loss();
        boolean dup = p.duplicateRng.nextDouble() < faults.duplicate();
        boolean reorder = p.reorderRng.nextDouble() < faults.reorder();
        boolean corrupt = p.corruptRng.nextDouble() < faults.corrupt();
        if (lost) {
            event(p, LinkEvent.LOSS, startNs, frameNo, "");
            f.release();
            return;
        }
        Frame copy = null;
        if (dup) {
            copy = pool.copyOf(f);
            event(p, copy == null ? LinkEvent.DUPLICATE_NO_FRAME : LinkEvent.DUPLICATE, startNs, frameNo, "");
        }
        boolean crcDrop = false;
        if (corrupt) {
            int n = WireFaults.corrupt(f.bytes(), f.length(), p.corruptBitsRng, flippedBits);
            if (n == 0) {
                event(p, LinkEvent.CORRUPT_TOO_SHORT, startNs, frameNo, "");
            } else if (WireFaults.isArp(f.bytes(), f.length())) {
                crcDrop = true; // no checksum of its own: only the CRC would catch it (see the class comment)
                event(p, LinkEvent.CORRUPT_ARP_DROPPED, startNs, frameNo, listener == null ? "" : flippedDetail(n));
            } else {
                event(p, LinkEvent.CORRUPT, startNs, frameNo, listener == null ? "" : flippedDetail(n));
            }
        }
        long deliverNs = startNs + serNs + config.propagationNs();
        if (reorder) {
            long heldNs = (1 + p.reorderDelayRng.nextInt(4)) * serNs;
            deliverNs += heldNs;
            event(p, LinkEvent.REORDER, startNs, frameNo, listener == null ? "" : "held " + heldNs + " ns");
        }
        if (crcDrop) {
            f.release();
        } else {
            inFlight.add(deliverNs, reorder, f, p.from, frameNo);
        }
        if (copy != null) {
            inFlight.add(deliverNs, reorder, copy, p.from, frameNo); // same time, after the original
        }
    }

    /** Delivers every frame due by {@code tNs}, in order of (time, order of start). */
    private void deliverDue(long tNs) {
        while (inFlight.size > 0 && inFlight.headNs() <= tNs) {
            long arrivalNs = inFlight.headNs();
            End from = inFlight.headFrom();
            long frameNo = inFlight.headFrameNo();
            Frame f = inFlight.poll();
            Port p = ports[from.ordinal()];
            Receiver r = receivers[from.other().ordinal()];
            if (r == null) {
                event(p, LinkEvent.NO_RECEIVER, arrivalNs, frameNo, "");
                f.release();
            } else {
                p.counters.delivered++;
                r.onFrame(f, arrivalNs);
            }
        }
    }

    private void event(Port p, LinkEvent e, long timeNs, long frameNo, String detail) {
        p.counters.add(e);
        if (listener != null) {
            listener.onEvent(timeNs, p.from, frameNo, e, detail);
        }
    }

    private String flippedDetail(int n) {
        StringBuilder sb = new StringBuilder("flipped");
        for (int k = 0; k < n; k++) {
            sb.append(' ').append(flippedBits[k] >>> 3).append('.').append(flippedBits[k] & 7);
        }
        return sb.append(" (byte.bit)").toString();
    }

    @Override
    public String toString() {
        return "EthernetLink[" + name + " A->B " + ports[0].counters + "; B->A " + ports[1].counters + "]";
    }

    // ---- state -------------------------------------------------------------------------------

    /** One direction: the sending port, its FIFO of frames waiting to start, its fault streams. */
    private static final class Port {
        final End from;
        final LinkCounters counters = new LinkCounters();
        final SplittableRandom lossRng;
        final SplittableRandom duplicateRng;
        final SplittableRandom reorderRng;
        final SplittableRandom corruptRng;
        final SplittableRandom reorderDelayRng;
        final SplittableRandom corruptBitsRng;
        long freeAtNs;
        long nextFrameNo;

        // Ring of frames waiting to start; start times are nondecreasing.
        Frame[] txFrames = new Frame[16];
        long[] txStartNs = new long[16];
        long[] txSerNs = new long[16];
        long[] txFrameNo = new long[16];
        int head;
        int count;

        Port(End from, SplittableRandom root) {
            this.from = from;
            // Split in a fixed order: the streams depend only on (seed, name, direction, kind).
            lossRng = root.split();
            duplicateRng = root.split();
            reorderRng = root.split();
            corruptRng = root.split();
            reorderDelayRng = root.split();
            corruptBitsRng = root.split();
        }

        long headStartNs() {
            return txStartNs[head];
        }

        void enqueue(Frame f, long startNs, long serNs, long frameNo) {
            if (count == txFrames.length) {
                grow();
            }
            int i = (head + count) & (txFrames.length - 1);
            txFrames[i] = f;
            txStartNs[i] = startNs;
            txSerNs[i] = serNs;
            txFrameNo[i] = frameNo;
            count++;
        }

        Frame dequeue() {
            Frame f = txFrames[head];
            txFrames[head] = null;
            head = (head + 1) & (txFrames.length - 1);
            count--;
            return f;
        }

        private void grow() {
            int n = txFrames.length;
            Frame[] f = new Frame[n * 2];
            long[] s = new long[n * 2];
            long[] d = new long[n * 2];
            long[] no = new long[n * 2];
            for (int k = 0; k < count; k++) {
                int i = (head + k) & (n - 1);
                f[k] = txFrames[i];
                s[k] = txStartNs[i];
                d[k] = txSerNs[i];
                no[k] = txFrameNo[i];
            }
            txFrames = f;
            txStartNs = s;
            txSerNs = d;
            txFrameNo = no;
            head = 0;
        }
    }

    /** Frames in flight: a binary heap by (delivery time, order added), in parallel arrays. */
    private static final class InFlight {
        static final long HELD_BACK_SEQ = 1L << 62;

        long[] atNs = new long[32];
        long[] seq = new long[32];
        Frame[] frames = new Frame[32];
        byte[] from = new byte[32];
        long[] frameNo = new long[32];
        int size;
        long nextSeq;

        long headNs() {
            return atNs[0];
        }

        End headFrom() {
            return from[0] == 0 ? End.A : End.B;
        }

        long headFrameNo() {
            return frameNo[0];
        }

        /** A frame held back goes after frames not held back that arrive at the same time. */
        void add(long tNs, boolean heldBack, Frame f, End e, long no) {
            if (size == frames.length) {
                int n = size * 2;
                atNs = Arrays.copyOf(atNs, n);
                seq = Arrays.copyOf(seq, n);
                frames = Arrays.copyOf(frames, n);
                from = Arrays.copyOf(from, n);
                frameNo = Arrays.copyOf(frameNo, n);
            }
            long s = nextSeq++ + (heldBack ? HELD_BACK_SEQ : 0);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(tNs, s, atNs[parent], seq[parent])) {
                    break;
                }
                move(parent, i);
                i = parent;
            }
            set(i, tNs, s, f, (byte) e.ordinal(), no);
        }

        Frame poll() {
            Frame head = frames[0];
            int last = --size;
            long t = atNs[last];
            long s = seq[last];
            Frame f = frames[last];
            byte e = from[last];
            long no = frameNo[last];
            frames[last] = null;
            if (last > 0) {
                int i = 0;
                while (true) {
                    int c = 2 * i + 1;
                    if (c >= last) {
                        break;
                    }
                    if (c + 1 < last && before(atNs[c + 1], seq[c + 1], atNs[c], seq[c])) {
                        c++;
                    }
                    if (!before(atNs[c], seq[c], t, s)) {
                        break;
                    }
                    move(c, i);
                    i = c;
                }
                set(i, t, s, f, e, no);
            }
            return head;
        }

        private static boolean before(long t1, long s1, long t2, long s2) {
            return t1 < t2 || (t1 == t2 && s1 < s2);
        }

        private void move(int src, int dst) {
            set(dst, atNs[src], seq[src], frames[src], from[src], frameNo[src]);
        }

        private void set(int i, long t, long s, Frame f, byte e, long no) {
            frameNo[i] = no;
            atNs[i] = t;
            seq[i] = s;
            frames[i] = f;
            from[i] = e;
        }
    }

    /** A min-heap of longs: the times of the alarms we have pending. Usually holds one. */
    private static final class LongHeap {
        long[] a = new long[8];
        int size;

        long peek() {
            return a[0];
        }

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) {
                    break;
                }
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= v) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            if (size > 0) {
                a[i] = v;
            }
            return top;
        }
    }
}

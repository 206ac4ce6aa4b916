package nemesis.drivers.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import nemesis.drivers.Nic;
import nemesis.drivers.sim.Capture;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.Frame;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.drivers.sim.WireFaults;
import nemesis.kernel.Clock;
import nemesis.kernel.EventCount;
import nemesis.kernel.Kernel;

/**
 * A network card whose wire is a real Linux {@link TunTap} device: what the driver domain
 * transmits reaches the Linux kernel on the TAP's side (in its own network namespace), what Linux
 * sends there is received. Real time only: the kernel must run on the wall clock.
 *
 * <h2>Threads</h2>
 * The card is a device: it works beside the emulated CPU, not on it. Two daemon platform threads
 * make the system calls, so that a {@code write} or {@code read} never costs the emulated CPU
 * (whose thread, in real time, is accounted to whichever domain holds it):
 * <ul>
 * <li>the <b>writer</b> takes frames from a single-producer single-consumer {@link SlotRing} of
 *     native slots and writes each to the TAP when its line time ends, as a receiver on a real
 *     wire would have it (parking,
 *     then spinning the last {@value #SPIN_NS} ns: never early, a little late on a busy machine);
 * <li>the <b>reader</b> polls the TAP ({@value #POLL_TIMEOUT_MS} ms timeout, so {@link #close()} is
 *     prompt), reads each frame straight into the next slot of a second ring, waits out its line
 *     time, and posts the
 *     receive interrupt ({@link Kernel#postInterrupt}, with one reusable handler, posted again only
 *     once the previous post has run).
 * </ul>
 * Everything else runs on the emulated CPU's side, in the driver's calls ({@link #allocateTx},
 * {@link #transmit}, {@link #pollTxDone}, {@link #pollReceived}) or in kernel context (alarms and
 * the interrupt handlers): the frame pool, the fault decisions, the descriptors and the receive
 * ring. Those are touched only by the holder of the CPU baton, so they need no locks.
 *
 * <h2>Pacing</h2>
 * Transmit enforces the emulated line rate in real time, as the simulated link does: a frame
 * handed over at {@code now} starts at {@code max(now, line free)} and occupies the line for
 * {@code ceil((max(length, 60) + overheadBytes) * 8e9 / rateBps)} ns (short frames padded to the
 * Ethernet minimum, as {@link LinkConfig#ethernet} does); its descriptor completes (the driver is
 * interrupted) at the end of that, by a kernel alarm, and not before the writer has taken the
 * frame: with {@code rateBps == 0} frames complete as fast as the TAP takes them. The writer
 * writes each frame at the end of its line time: Linux then gets it when a receiver on a real
 * wire would, not a line time early (which would bring its answers back early too).
 * {@link #lastTxDoneNs()} gives the computed completion time of the frame {@link #pollTxDone()}
 * last returned. Receive is paced the same way: the reader takes a frame off the TAP only when the
 * line from Linux is free, and hands it on when its line time has passed; what Linux sends
 * faster than the line waits in Linux's own queue for the TAP (and is dropped there when that is
 * full), as it would in front of a real card of that speed.
 *
 * <h2>Faults</h2>
 * Applied by the card in both directions, decided on the CPU baton's side (in {@link #transmit}
 * for frames going out, in the receive interrupt for frames coming in) from seeded streams, one per
 * (direction, kind), split from {@code (seed, name)} in the same order as {@code EthernetLink}'s: for
 * the same seed and name the transmit side makes the decisions the simulated link makes at its
 * end A. Each stream draws once per frame whatever happens.
 * <ul>
 * <li><b>loss</b>: the frame occupies the line (its descriptor completes on time) and is not written
 *     / not delivered.
 * <li><b>duplicate</b>: written / delivered twice, the copy as sent (before any corruption), right
 *     after the first; no extra line time.
 * <li><b>reorder</b>: held back and released right after the next frame of that direction, or
 *     after a short real-time delay if none follows (out: {@value #REORDER_HOLD_NS} ns after its
 *     line time ends; in: {@value #REORDER_HOLD_NS} ns after it arrived). At most one frame (with
 *     its duplicate) is held per direction: a second reordered frame releases the first.
 * <li><b>corrupt</b>: {@link WireFaults#corrupt}, exactly as the simulated link: 1..3 bit flips
 *     after the Ethernet header at distinct bit positions mod 16, so IP, UDP and TCP checksums always
 *     catch it; a corrupted ARP frame is dropped, as the CRC would.
 * </ul>
 *
 * <h2>Capture</h2>
 * The capture point is the TAP itself, the Linux end of the emulated wire: a frame going out is
 * recorded when the writer writes it (stamped just before the {@code write}, recorded if it
 * succeeded), after the outgoing faults (lost and CRC-dropped frames are absent, corrupted ones
 * corrupted, duplicates twice, reordered ones where they went); a frame coming in is recorded when
 * the reader has read it, as Linux sent it, before the incoming faults. So the capture is what
 * {@code tcpdump} on the TAP inside the namespace would show. Timestamps are the kernel's clock;
 * the two threads record under one lock, which the writer holds across its {@code write} (Linux
 * may answer before the call returns), so the capture is in time order over both directions and
 * an answer always follows its question. Frames longer than {@link Frame#CAPACITY} are not
 * recorded (they are counted as oversize and dropped).
 *
 * <h2>Allocation</h2>
 * Nothing per frame in steady state: native slots, descriptor arrays and the receive ring are made
 * once, frames come from the card's {@link FramePool}, the system calls use per-thread call-state
 * buffers, and the alarm and interrupt handlers are single reusable {@link Runnable}s. (The
 * kernel's interrupt queue still makes a node per post; posts are coalesced.)
 *
 * <h2>Counters</h2>
 * Each counter is written by one thread; {@link #figures()} reads them without synchronisation:
 * exact once {@link #close()} has returned, approximate while running.
 */
public final class TapNic implements Nic, AutoCloseable {
    /** How long a reordered frame waits for a frame to overtake it before it goes anyway. */
    public static final long REORDER_HOLD_NS = 2_000_000L;
    /** The reader's poll timeout, and the longest the writer parks at once: how prompt close is. */
    public static final int POLL_TIMEOUT_MS = 50;
    /** Slot size: a frame of up to {@link Frame#CAPACITY} bytes, rounded up. */
    static final int SLOT_BYTES = 2048;
    static final long SPIN_NS = 50_000L;
    private static final long POLL_TIMEOUT_NS = POLL_TIMEOUT_MS * 1_000_000L;
    private static final int MAX_WRITE_RETRIES = 100;
    private static final int FLAG_DUPLICATE = 1;
    private static final int FLAG_REORDER = 2;
    private static final short POLL_FAILED = 0x8 | 0x10 | 0x20; // POLLERR | POLLHUP | POLLNVAL

    private final String name;
    private final TunTap tap;
    private final int fd;
    private final long mac;
    private final int mtu;
    private final int txDescriptors;
    private final int rxRing;
    private final Kernel kernel;
    private final Clock clock;
    private final long rateBps;
    private final int overheadBytes;
    private final Faults faults;
    private final Capture capture;
    private final FramePool pool;
    private final Arena arena = Arena.ofShared();
    private final Object captureLock = new Object();
    private EventCount interrupt;

    private final Streams txStreams;
    private final Streams rxStreams;

    // ---- transmit: CPU side
    private final SlotRing txSlots;
    private long lineFreeNs;
    private final long[] doneAt;
    private final int[] doneToken;
    private final long[] doneNeed; // the writer must have taken the ring up to here
    private int doneHead;
    private int doneCount;
    private boolean alarmArmed;
    private final int[] completed;
    private final long[] completedAt;
    private int completedHead;
    private int completedCount;
    private long lastTxDoneNs = -1;
    private final int[] flipScratch = new int[WireFaults.MAX_FLIPS];
    private final Runnable txAlarm = this::onTxAlarm;
    private final Runnable txInterrupt = this::transmitted;
    private volatile boolean txWaitingForWriter;

    // ---- transmit: writer thread
    private volatile long writerTaken;
    private volatile boolean writerParked;

    // ---- receive
    private final SlotRing rxSlots;
    private final AtomicBoolean rxPosted = new AtomicBoolean();
    private final Runnable rxInterrupt = this::received;
    private final ArrayDeque<Frame> receivedFrames;
    private Frame rxHeld;
    private Frame rxHeldCopy;
    private boolean rxHolding;
    private long rxHeldUntilNs;
    private boolean raisePending;
    private final Runnable rxHoldAlarm = this::onRxHoldAlarm;

    // ---- lifecycle
    private volatile boolean running;
    private Thread writer;
    private Thread reader;
    private boolean started;
    private volatile boolean closed;

    // ---- counters (each written by one thread: see the class comment)
    private long txFrames, txBytes, txWireNs;
    private long txLost, txDuplicated, txReordered, txCorrupted, txCorruptTooShort, txCorruptArpDropped;
    private long txWrittenFrames, txWrittenBytes, txWriteRetries, txWriteErrors, txWriterStalls; // writer
    private long rxFrames, rxBytes, rxLineTimeNs, rxOversize, rxFifoOverruns, rxErrors; // reader
    private long rxDelivered, rxDeliveredBytes, rxLost, rxDuplicated, rxDuplicateNoFrame, rxReordered;
    private long rxCorrupted, rxCorruptTooShort, rxCorruptArpDropped, rxOverruns, rxNoFrame;
    private volatile long captureErrors;
    private volatile String lastError = "";

    /**
     * @param name          the card's name; with {@code seed} it seeds the fault streams
     * @param tap           the device (the caller closes it, after this card)
     * @param mac           the card's MAC address (the emulated host's)
     * @param txDescriptors frames the card holds at once
     * @param rxRing        received frames waiting for the driver; more are overruns
     * @param kernel        a kernel on the wall clock ({@code RealClock})
     * @param rateBps       the emulated line rate, bits per second; 0: as fast as the TAP takes frames
     * @param overheadBytes line bytes per frame besides the frame (Ethernet: 24)
     * @param faults        fault probabilities, both directions ({@link Faults#NONE})
     * @param seed          the run's seed
     * @param capture       where frames are recorded, or null
     */
    public TapNic(String name, TunTap tap, long mac, int mtu, int txDescriptors, int rxRing, Kernel kernel,
                  long rateBps, int overheadBytes, Faults faults, long seed, Capture capture) {
        if (kernel.clock().isVirtual()) {
            throw new IllegalArgumentException(name + ": a TAP card needs the kernel on the wall clock (RealClock)");
        }
        if (txDescriptors < 1 || rxRing < 1 || mtu < 68 || mtu > Frame.CAPACITY - 18) {
            throw new IllegalArgumentException(name + ": need txDescriptors >= 1, rxRing >= 1, 68 <= mtu <= "
                    + (Frame.CAPACITY - 18) + ": " + txDescriptors + ", " + rxRing + ", " + mtu);
        }
        if (rateBps < 0 || overheadBytes < 0) {
            throw new IllegalArgumentException(name + ": rate and overhead must be >= 0: " + rateBps + ", "
                    + overheadBytes);
        }
        this.name = name;
        this.tap = tap;
        this.fd = tap.fd();
        this.mac = mac;
        this.mtu = mtu;
        this.txDescriptors = txDescriptors;
        this.rxRing = rxRing;
        this.kernel = kernel;
        this.clock = kernel.clock();
        this.rateBps = rateBps;
        this.overheadBytes = overheadBytes;
        this.faults = java.util.Objects.requireNonNull(faults, "faults (use Faults.NONE)");
        this.capture = capture;
        // The driver holds a frame between allocateTx and transmit; the receive ring, the frames the
        // driver is processing and a held reordered frame and its copy need the rest.
        this.pool = new FramePool(rxRing + txDescriptors + 8);
        SplittableRandom root = new SplittableRandom(WireFaults.seed(seed, name));
        this.txStreams = new Streams(root);
        this.rxStreams = new Streams(root);
        // Frames not yet taken by the writer belong to descriptors not completed (at most
        // txDescriptors), plus one held back: the ring never fills.
        this.txSlots = new SlotRing(txDescriptors + 2, SLOT_BYTES, WireFaults.MAX_FLIPS, arena);
        this.rxSlots = new SlotRing(Math.max(64, rxRing), SLOT_BYTES, 0, arena);
        this.doneAt = new long[txDescriptors];
        this.doneToken = new int[txDescriptors];
        this.doneNeed = new long[txDescriptors];
        this.completed = new int[txDescriptors];
        this.completedAt = new long[txDescriptors];
        this.receivedFrames = new ArrayDeque<>(rxRing);
    }

    /** Starts the reader and writer threads. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(name + ": " + (closed ? "closed" : "already started"));
        }
        started = true;
        running = true;
        writer = Thread.ofPlatform().daemon().name("tap-tx-" + name).start(this::writeLoop);
        reader = Thread.ofPlatform().daemon().name("tap-rx-" + name).start(this::readLoop);
    }

    /**
     * Stops the threads (within about {@value #POLL_TIMEOUT_MS} ms) and frees the native slots.
     * Idempotent. Call it once the kernel has stopped (or the driver is idle): afterwards the card
     * is an unplugged cable. Does not close the {@link TunTap}: its owner does, afterwards.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        boolean stopped = true;
        for (Thread t : new Thread[] {writer, reader}) {
            if (t == null) {
                continue;
            }
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped &= !t.isAlive();
        }
        if (stopped) {
            arena.close();
        } else {
            System.err.println("warning: " + name + ": a TAP thread did not stop; its buffers are kept");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Nic
    // ------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    @Override
    public long mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int txDescriptors() {
        return txDescriptors;
    }

    @Override
    public void attach(EventCount irq) {
        this.interrupt = irq;
    }

    @Override
    public Frame allocateTx() {
        return pool.allocate();
    }

    @Override
    public void transmit(Frame frame, int token) {
        if (doneCount == txDescriptors) {
            throw new IllegalStateException(name + ": all " + txDescriptors + " transmit descriptors are busy");
        }
        if (closed) {
            frame.release(); // a closed card is an unplugged cable: frames vanish, descriptors never complete
            return;
        }
        long now = clock.nowNs();
        int len = frame.length();
        if (len <= 0) {
            throw new IllegalArgumentException(name + ": empty frame");
        }
        long wireNs = wireTimeNs(len);
        long startNs = Math.max(now, lineFreeNs);
        long doneNs = startNs + wireNs;
        lineFreeNs = doneNs;
        txFrames++;
        txBytes += len;
        txWireNs += wireNs;
        // One draw per stream per frame, always, in EthernetLink's order.
        Streams s = txStreams;
        boolean lost = s.loss.nextDouble() < faults.loss();
        boolean dup = s.duplicate.nextDouble() < faults.duplicate();
        boolean reorder = s.reorder.nextDouble() < faults.reorder();
        boolean corrupt = s.corrupt.nextDouble() < faults.corrupt();
        if (lost) {
            txLost++;
        } else {
            if (dup) {
                txDuplicated++;
            }
            if (reorder) {
                txReordered++;
            }
            int flips = 0;
            boolean crcDrop = false;
            if (corrupt) {
                flips = WireFaults.corrupt(frame.bytes(), len, s.corruptBits, flipScratch);
                if (flips == 0) {
                    txCorruptTooShort++;
                } else if (WireFaults.isArp(frame.bytes(), len)) {
                    txCorruptArpDropped++;
                    crcDrop = true;
                } else {
                    txCorrupted++;
                }
            }
            if (crcDrop && dup) {
                // The original is dropped; the duplicate, taken before the corruption, goes.
                unflip(frame.bytes(), flipScratch, flips);
                flips = 0;
                dup = false;
                crcDrop = false;
            }
            if (!crcDrop) {
                SlotRing r = txSlots;
                if (r.free() == 0) {
                    throw new IllegalStateException(name + ": transmit ring full (cannot happen)");
                }
                int i = (int) r.tail() & r.mask;
                MemorySegment.copy(frame.bytes(), 0, r.slots[i], ValueLayout.JAVA_BYTE, 0, len);
                r.length[i] = len;
                r.timeNs[i] = doneNs; // a receiver has the frame when its last bit has crossed the line
                r.untilNs[i] = doneNs + REORDER_HOLD_NS;
                r.flags[i] = (dup ? FLAG_DUPLICATE : 0) | (reorder ? FLAG_REORDER : 0);
                r.flipCount[i] = dup ? flips : 0; // needed only to restore the duplicate
                System.arraycopy(flipScratch, 0, r.flips, i * WireFaults.MAX_FLIPS, r.flipCount[i]);
                r.publish();
                if (writerParked) {
                    LockSupport.unpark(writer);
                }
            }
        }
        frame.release();
        int at = (doneHead + doneCount) % txDescriptors;
        doneAt[at] = doneNs;
        doneToken[at] = token;
        doneNeed[at] = txSlots.tail();
        doneCount++;
        if (!alarmArmed) {
            alarmArmed = true;
            kernel.at(doneAt[doneHead], txAlarm);
        }
    }

    private static void unflip(byte[] d, int[] bits, int n) {
        for (int k = 0; k < n; k++) {
            d[bits[k] >>> 3] ^= (byte) (1 << (bits[k] & 7));
        }
    }

    private void onTxAlarm() {
        alarmArmed = false;
        transmitted();
    }

    /**
     * Kernel context (the alarm, or the writer's interrupt when it caught up): completes every
     * frame whose line time is over and which the writer has taken; re-arms for the next.
     */
    private void transmitted() {
        long now = clock.nowNs();
        long taken = writerTaken;
        boolean any = false;
        while (doneCount > 0 && doneAt[doneHead] <= now) {
            if (doneNeed[doneHead] > taken) {
                // The TAP is slower than the line: wait for the writer, which interrupts us.
                txWaitingForWriter = true;
                taken = writerTaken;
                if (doneNeed[doneHead] > taken) {
                    txWriterStalls++;
                    break;
                }
            }
            int c = (completedHead + completedCount) % txDescriptors;
            completed[c] = doneToken[doneHead];
            completedAt[c] = doneAt[doneHead];
            completedCount++;
            doneHead = (doneHead + 1) % txDescriptors;
            doneCount--;
            any = true;
        }
        if (doneCount > 0 && doneAt[doneHead] > now && !alarmArmed) {
            alarmArmed = true;
            kernel.at(doneAt[doneHead], txAlarm);
        }
        if (any) {
            raise();
        }
    }

    @Override
    public int pollTxDone() {
        if (completedCount == 0) {
            return -1;
        }
        int t = completed[completedHead];
        lastTxDoneNs = completedAt[completedHead];
        completedHead = (completedHead + 1) % txDescriptors;
        completedCount--;
        return t;
    }

    /** The computed completion time (start + line time) of the frame {@link #pollTxDone()} last returned. */
    public long lastTxDoneNs() {
        return lastTxDoneNs;
    }

    /** When the emulated line is free for the next frame. */
    public long lineFreeNs() {
        return lineFreeNs;
    }

    /** Line time of a frame of {@code frameBytes}: padded to 60, plus the overhead, at the rate (0 if rate 0). */
    public long wireTimeNs(int frameBytes) {
        if (rateBps == 0) {
            return 0;
        }
        long bytes = (long) Math.max(frameBytes, LinkConfig.MIN_FRAME_BYTES) + overheadBytes;
        return Math.ceilDiv(Math.multiplyExact(bytes * 8, 1_000_000_000L), rateBps);
    }

    @Override
    public Frame pollReceived() {
        return receivedFrames.poll();
    }

    /** Frames dropped because the driver's receive ring or the card's FIFO from the reader was full. */
    @Override
    public long rxOverruns() {
        return rxOverruns + rxFifoOverruns;
    }

    /** The card's frame pool (for leak checks: {@link FramePool#inUse()}). */
    public FramePool pool() {
        return pool;
    }

    private void raise() {
        if (interrupt != null) {
            kernel.signal(interrupt, 1);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Receive: kernel context
    // ------------------------------------------------------------------------------------------

    /** The receive interrupt: frames the reader has read go through the faults into the ring. */
    private void received() {
        rxPosted.set(false); // before draining: a frame published after this posts again
        if (closed) {
            return; // the slots may be gone
        }
        SlotRing r = rxSlots;
        long pos = r.head();
        long published = r.published();
        Streams s = rxStreams;
        for (; pos < published; pos++) {
            int i = (int) pos & r.mask;
            int len = r.length[i];
            boolean lost = s.loss.nextDouble() < faults.loss();
            boolean dup = s.duplicate.nextDouble() < faults.duplicate();
            boolean reorder = s.reorder.nextDouble() < faults.reorder();
            boolean corrupt = s.corrupt.nextDouble() < faults.corrupt();
            if (lost) {
                rxLost++;
                r.release(pos + 1);
                continue;
            }
            Frame f = pool.allocate();
            if (f == null) {
                rxNoFrame++;
                r.release(pos + 1);
                continue;
            }
            f.copyFrom(r.slots[i], 0, len);
            r.release(pos + 1);
            Frame copy = null;
            if (dup) {
                copy = pool.copyOf(f);
                if (copy == null) {
                    rxDuplicateNoFrame++;
                } else {
                    rxDuplicated++;
                }
            }
            if (corrupt) {
                int n = WireFaults.corrupt(f.bytes(), len, s.corruptBits, null);
                if (n == 0) {
                    rxCorruptTooShort++;
                } else if (WireFaults.isArp(f.bytes(), len)) {
                    rxCorruptArpDropped++;
                    f.release();
                    f = null;
                } else {
                    rxCorrupted++;
                }
            }
            if (reorder) {
                rxReordered++;
                if (rxHolding) {
                    releaseHeld(); // at most one held: the older goes now
                }
                if (f != null || copy != null) {
                    rxHeld = f;
                    rxHeldCopy = copy;
                    rxHolding = true;
                    rxHeldUntilNs = clock.nowNs() + REORDER_HOLD_NS;
                    kernel.at(rxHeldUntilNs, rxHoldAlarm);
                }
            } else {
                deliver(f);
                deliver(copy);
                if (rxHolding) {
                    releaseHeld(); // overtaken
                }
            }
        }
        if (raisePending) {
            raisePending = false;
            raise();
        }
    }

    private void onRxHoldAlarm() {
        if (rxHolding && clock.nowNs() >= rxHeldUntilNs) { // else a stale alarm of an earlier hold
            releaseHeld();
            if (raisePending) {
                raisePending = false;
                raise();
            }
        }
    }

    private void releaseHeld() {
        Frame f = rxHeld;
        Frame c = rxHeldCopy;
        rxHeld = null;
        rxHeldCopy = null;
        rxHolding = false;
        deliver(f);
        deliver(c);
    }

    private void deliver(Frame f) {
        if (f == null) {
            return;
        }
        if (receivedFrames.size() >= rxRing) {
            rxOverruns++;
            f.release();
            return;
        }
        receivedFrames.add(f);
        rxDelivered++;
        rxDeliveredBytes += f.length();
        raisePending = true;
    }

    // ------------------------------------------------------------------------------------------
    // The writer thread
    // ------------------------------------------------------------------------------------------

    private void writeLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(local);
            Frame scratch = capture == null ? null : new FramePool(1).allocate();
            SlotRing r = txSlots;
            long head = r.head(); // first slot not released: the held one while holding
            long next = head; // next slot to look at
            boolean holding = false;
            long heldUntilNs = 0;
            while (running) {
                long now = clock.nowNs();
                long published = r.published();
                boolean haveNext = next < published;
                long nextStartNs = haveNext ? r.timeNs[(int) next & r.mask] : Long.MAX_VALUE;
                if (holding && heldUntilNs <= now && heldUntilNs <= nextStartNs) {
                    // Nothing overtook it in time: it goes anyway.
                    emit(r, (int) head & r.mask, state, scratch);
                    holding = false;
                    head = next;
                    r.release(head);
                    continue;
                }
                if (haveNext && nextStartNs <= now) {
                    int i = (int) next & r.mask;
                    if ((r.flags[i] & FLAG_REORDER) != 0) {
                        if (holding) {
                            emit(r, (int) head & r.mask, state, scratch); // at most one held
                        }
                        head = next;
                        r.release(head);
                        holding = true;
                        heldUntilNs = r.untilNs[i];
                        next++;
                    } else {
                        emit(r, i, state, scratch);
                        next++;
                        if (holding) {
                            emit(r, (int) head & r.mask, state, scratch); // overtaken
                            holding = false;
                        }
                        head = next;
                        r.release(head);
                    }
                    writerTaken = next;
                    if (txWaitingForWriter) {
                        txWaitingForWriter = false;
                        kernel.postInterrupt(txInterrupt);
                    }
                    continue;
                }
                // Wait for the next start or the held frame's deadline. Only when nothing is
                // published can a new frame need us sooner (one published later starts later):
                // only then may the producer wake us.
                long untilNs = Math.min(nextStartNs, holding ? heldUntilNs : Long.MAX_VALUE);
                long parkNs = untilNs == Long.MAX_VALUE ? POLL_TIMEOUT_NS : untilNs - now - SPIN_NS;
                if (parkNs <= 0) {
                    Thread.onSpinWait();
                    continue;
                }
                if (!haveNext) {
                    writerParked = true;
                    if (r.published() != published || !running) {
                        writerParked = false;
                        continue;
                    }
                }
                LockSupport.parkNanos(this, Math.min(parkNs, POLL_TIMEOUT_NS));
                writerParked = false;
            }
        } catch (Throwable t) {
            lastError = "writer died: " + t;
            throw t;
        }
    }

    /** Writes slot {@code i}, and again (as sent, uncorrupted) if it is duplicated. */
    private void emit(SlotRing r, int i, MemorySegment state, Frame scratch) {
        MemorySegment slot = r.slots[i];
        int len = r.length[i];
        write(slot, len, state, scratch);
        if ((r.flags[i] & FLAG_DUPLICATE) != 0) {
            int base = i * WireFaults.MAX_FLIPS;
            for (int k = 0; k < r.flipCount[i]; k++) {
                int bit = r.flips[base + k];
                long at = bit >>> 3;
                slot.set(ValueLayout.JAVA_BYTE, at, (byte) (slot.get(ValueLayout.JAVA_BYTE, at) ^ (1 << (bit & 7))));
            }
            write(slot, len, state, scratch);
        }
    }

    /**
     * Writes one frame to the TAP and records it. With a capture, the capture lock is held across
     * the system call and the timestamp taken just before it: Linux may answer inside the
     * {@code write} (the frame is processed before it returns), and the answer, read by the reader,
     * must be recorded after the frame that caused it.
     */
    private void write(MemorySegment slot, int len, MemorySegment state, Frame scratch) {
        if (capture == null) {
            writeFrame(slot, len, state);
            return;
        }
        scratch.copyFrom(slot, 0, len);
        synchronized (captureLock) {
            long t = clock.nowNs();
            if (writeFrame(slot, len, state)) {
                recordLocked(t, End.A, scratch);
            }
        }
    }

    /** The system call, retried on EAGAIN/EINTR; true if the whole frame was written. */
    private boolean writeFrame(MemorySegment slot, int len, MemorySegment state) {
        for (int tries = 0; ; tries++) {
            long n;
            try {
                n = Libc.write(fd, slot, len, state);
            } catch (Libc.LinuxError e) {
                txWriteErrors++;
                lastError = e.getMessage();
                return false;
            }
            if (n == len) {
                txWrittenFrames++;
                txWrittenBytes += len;
                return true;
            }
            if (n >= 0 || tries == MAX_WRITE_RETRIES) {
                txWriteErrors++;
                lastError = n >= 0 ? "short write: " + n + " of " + len + " bytes" : "write: too many retries";
                return false;
            }
            txWriteRetries++; // EAGAIN or EINTR
        }
    }

    // ------------------------------------------------------------------------------------------
    // The reader thread
    // ------------------------------------------------------------------------------------------

    private void readLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(local);
            MemorySegment pollfd = local.allocate(8, 4);
            MemorySegment overflow = local.allocate(SLOT_BYTES, 64);
            Frame scratch = capture == null ? null : new FramePool(1).allocate();
            SlotRing r = rxSlots;
            while (running) {
                boolean readable;
                try {
                    readable = Libc.pollIn(fd, POLL_TIMEOUT_MS, pollfd, state);
                } catch (Libc.LinuxError e) {
                    readFailed(e.getMessage());
                    continue;
                }
                if (!readable) {
                    if ((pollfd.get(ValueLayout.JAVA_SHORT, 6) & POLL_FAILED) != 0) {
                        readFailed("poll: device error or hang-up");
                    }
                    continue;
                }
                boolean room = r.free() > 0;
                int i = (int) r.tail() & r.mask;
                MemorySegment buf = room ? r.slots[i] : overflow;
                long n;
                try {
                    n = Libc.read(fd, buf, SLOT_BYTES, state);
                } catch (Libc.LinuxError e) {
                    readFailed(e.getMessage());
                    continue;
                }
                if (n <= 0) {
                    continue; // EAGAIN, EINTR
                }
                rxFrames++;
                rxBytes += n;
                if (n > Frame.CAPACITY) {
                    rxOversize++; // the kernel cut it to the buffer and told us its real length
                    continue;
                }
                record(End.B, buf, (int) n, scratch);
                // The frame starts on the emulated line now (the reader takes the next only when
                // the line is free again) and reaches the card when its line time ends: Linux's
                // backlog waits in its own queue, as it would behind a real 10 Mb/s card.
                long wire = wireTimeNs((int) n);
                rxLineTimeNs += wire;
                long arrivesNs = clock.nowNs() + wire;
                waitUntil(arrivesNs);
                if (!room) {
                    rxFifoOverruns++; // the CPU side has not drained the ring
                    continue;
                }
                r.length[i] = (int) n;
                r.timeNs[i] = arrivesNs;
                r.publish();
                if (!rxPosted.getAndSet(true)) {
                    kernel.postInterrupt(rxInterrupt);
                }
            }
        } catch (Throwable t) {
            lastError = "reader died: " + t;
            throw t;
        }
    }

    /** Reader: parks, then spins the last {@value #SPIN_NS} ns, until {@code tNs} (never early); gives up on close. */
    private void waitUntil(long tNs) {
        long now;
        while (running && (now = clock.nowNs()) < tNs) {
            long parkNs = tNs - now - SPIN_NS;
            if (parkNs > 0) {
                LockSupport.parkNanos(this, Math.min(parkNs, POLL_TIMEOUT_NS));
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void readFailed(String why) {
        rxErrors++;
        lastError = why;
        LockSupport.parkNanos(10_000_000L); // no busy loop on a broken device
    }

    /** Records a frame read from the TAP, stamped now, under the capture lock. */
    private void record(End from, MemorySegment buf, int len, Frame scratch) {
        if (capture == null) {
            return;
        }
        scratch.copyFrom(buf, 0, len);
        synchronized (captureLock) {
            recordLocked(clock.nowNs(), from, scratch);
        }
    }

    private void recordLocked(long tNs, End from, Frame frame) {
        try {
            capture.frame(tNs, from, frame);
        } catch (RuntimeException e) {
            captureErrors++;
            lastError = "capture: " + e;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Figures
    // ------------------------------------------------------------------------------------------

    /** The card's figures, in a stable order: exact after {@link #close()}. */
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", tap.name());
        m.put("rate_bps", rateBps);
        m.put("overhead_bytes", overheadBytes);
        m.put("tx_frames", txFrames);
        m.put("tx_bytes", txBytes);
        m.put("tx_line_time_ns", txWireNs);
        m.put("tx_written_frames", txWrittenFrames);
        m.put("tx_written_bytes", txWrittenBytes);
        m.put("tx_lost", txLost);
        m.put("tx_duplicated", txDuplicated);
        m.put("tx_reordered", txReordered);
        m.put("tx_corrupted", txCorrupted);
        m.put("tx_corrupt_too_short", txCorruptTooShort);
        m.put("tx_corrupt_arp_dropped", txCorruptArpDropped);
        m.put("tx_write_retries", txWriteRetries);
        m.put("tx_write_errors", txWriteErrors);
        m.put("tx_writer_stalls", txWriterStalls);
        m.put("rx_frames", rxFrames);
        m.put("rx_bytes", rxBytes);
        m.put("rx_line_time_ns", rxLineTimeNs);
        m.put("rx_delivered", rxDelivered);
        m.put("rx_delivered_bytes", rxDeliveredBytes);
        m.put("rx_lost", rxLost);
        m.put("rx_duplicated", rxDuplicated);
        m.put("rx_duplicate_no_frame", rxDuplicateNoFrame);
        m.put("rx_reordered", rxReordered);
        m.put("rx_corrupted", rxCorrupted);
        m.put("rx_corrupt_too_short", rxCorruptTooShort);
        m.put("rx_corrupt_arp_dropped", rxCorruptArpDropped);
        m.put("rx_overruns", rxOverruns);
        m.put("rx_fifo_overruns", rxFifoOverruns);
        m.put("rx_no_frame", rxNoFrame);
        m.put("rx_oversize", rxOversize);
        m.put("rx_errors", rxErrors);
        m.put("capture_errors", captureErrors);
        m.put("last_error", lastError);
        return m;
    }

    @Override
    public String toString() {
        return name + "(" + tap.name() + ")";
    }

    /** One direction's fault streams, split in {@code EthernetLink}'s order. */
    private static final class Streams {
        final SplittableRandom loss;
        final SplittableRandom duplicate;
        final SplittableRandom reorder;
        final SplittableRandom corrupt;
        @SuppressWarnings("unused") // split to keep the order: the simulated link's reorder delays
        final SplittableRandom reorderDelay;
        final SplittableRandom corruptBits;

        Streams(SplittableRandom root) {
            loss = root.split();
            duplicate = root.split();
            reorder = root.split();
            corrupt = root.split();
            reorderDelay = root.split();
            corruptBits = root.split();
        }
    }
}

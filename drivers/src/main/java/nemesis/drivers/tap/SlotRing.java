package nemesis.drivers.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer ring of fixed-size frame slots in native memory, with a little
 * metadata per slot. The producer fills the slot at {@link #tail()} in place (the reader thread
 * {@code read}s straight into it; the transmit path copies a frame into it) and {@link #publish}es
 * it; the consumer reads published slots in place (the writer thread {@code write}s straight from
 * it) and {@link #release}s them. A slot belongs to exactly one side at a time, so slot memory and
 * metadata are plain; only the two positions are ordered (volatile), which makes the producer's
 * writes to a slot visible to the consumer that sees it published, and the consumer's reads
 * finished before the producer reuses it.
 *
 * <p>Why not a JCTools or Agrona queue: a queue of objects would need preallocated slot objects and
 * a second queue to send them back, and a byte ring buffer (Agrona's OneToOneRingBuffer) would copy
 * each frame in and hand it out at an offset of an on-heap-or-direct buffer that the system call
 * would need as a segment. Here the native slot <i>is</i> the system call's buffer: no copy on the
 * reader's side, none on the writer's, and nothing allocated per frame. Positions are longs that
 * only grow (index = position &amp; mask).
 */
final class SlotRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SlotRing.class, "head", long.class);
            TAIL = l.findVarHandle(SlotRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int capacity;
    final int mask;
    final int slotBytes;
    /** Slot i's memory: {@link #slotBytes} bytes, made once. */
    final MemorySegment[] slots;
    /** Per-slot metadata, written by the producer before {@link #publish}. */
    final int[] length;
    final long[] timeNs;
    final long[] untilNs;
    final int[] flags;
    /** Bits flipped in slot i ({@code WireFaults.MAX_FLIPS} per slot) and how many. */
    final int[] flips;
    final int[] flipCount;

    private volatile long head; // consumer: first slot not released
    private volatile long tail; // producer: first slot not published

    /** {@code minCapacity} rounded up to a power of two, slots of {@code slotBytes} from {@code arena}. */
    SlotRing(int minCapacity, int slotBytes, int maxFlips, Arena arena) {
        int cap = Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1;
        this.capacity = cap;
        this.mask = cap - 1;
        this.slotBytes = slotBytes;
        MemorySegment mem = arena.allocate((long) cap * slotBytes, 64);
        this.slots = new MemorySegment[cap];
        for (int i = 0; i < cap; i++) {
            slots[i] = mem.asSlice((long) i * slotBytes, slotBytes);
        }
        this.length = new int[cap];
        this.timeNs = new long[cap];
        this.untilNs = new long[cap];
        this.flags = new int[cap];
        this.flips = new int[cap * maxFlips];
        this.flipCount = new int[cap];
    }

    // ---- producer ----------------------------------------------------------------------------

    /** Producer: the position of the next slot to fill (its index is {@code tail() & mask}). */
    long tail() {
        return (long) TAIL.getOpaque(this);
    }

    /** Producer: slots free to fill. */
    int free() {
        return capacity - (int) ((long) TAIL.getOpaque(this) - head);
    }

    /**
     * Producer: the slot at {@link #tail()} is filled; the consumer may take it. A volatile write,
     * so that a flag the producer reads next (is the consumer parked?) is read after it.
     */
    void publish() {
        tail = (long) TAIL.getOpaque(this) + 1;
    }

    // ---- consumer ----------------------------------------------------------------------------

    /** Consumer: the position after the last published slot (a volatile read). */
    long published() {
        return tail;
    }

    /** Consumer: the position of the first slot not yet released. */
    long head() {
        return (long) HEAD.getOpaque(this);
    }

    /** Consumer: every slot before {@code position} is done with; the producer may reuse them. */
    void release(long position) {
        HEAD.setRelease(this, position);
    }
}

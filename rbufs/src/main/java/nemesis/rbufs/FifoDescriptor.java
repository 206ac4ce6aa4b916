package nemesis.rbufs;

/**
 * Layout of an I/O channel FIFO in shared memory. Slots are 16 bytes; a packet of n records takes
 * n + 1 consecutive slots (wrapping around): a header slot, then one slot per record.
 *
 * <pre>
 *  header slot  0                   4                   8                                      16
 *               +-------------------+-------------------+---------------------------------------+
 *               |  record count n   |     reserved      |              value (u64)              |
 *               +-------------------+-------------------+---------------------------------------+
 *  record slot  +---------------------------------------+-------------------+-------------------+
 *               |           base address (u64)          |   length (u32)    |     reserved      |
 *               +---------------------------------------+-------------------+-------------------+
 * </pre>
 *
 * Native byte order: both ends are on the same machine. The producer writes a packet's slots with
 * plain stores and then publishes it by advancing the consumer's "produced" event count through
 * the kernel; the consumer reads only slots it was told about. Under the CPU baton only one thread
 * touches the FIFO at a time, and the baton hand-over orders memory, so plain accesses are safe.
 */
final class FifoDescriptor {
    static final int SLOT_BYTES = 16;
    static final int COUNT_OFFSET = 0;
    static final int VALUE_OFFSET = 8;
    static final int BASE_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;

    private FifoDescriptor() {
    }

    /** Byte offset of a slot; {@code mask} is capacity - 1 for a power-of-two capacity, else -1. */
    static long slotOffset(long slotIndex, int capacity, long mask) {
        return (mask >= 0 ? slotIndex & mask : slotIndex % capacity) * SLOT_BYTES;
    }
}

package nemesis.rbufs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventChannel;
import nemesis.kernel.EventCount;

/**
 * One direction of an I/O channel: a ring of {@link FifoDescriptor slots} written by a producer
 * domain and read by a consumer domain. Two event counts tell each side what the other did:
 * {@code produced} (in the consumer's domain: slots it may read) and {@code acked} (in the
 * producer's domain: slots the consumer has finished with, which the producer may reuse).
 * When producer and consumer are different domains, each advances the other's count through an
 * event channel (so, as on Nemesis, the news arrives when the sender is next descheduled).
 */
final class Fifo {
    private final String name;
    private final int capacity;
    /** capacity - 1 when it is a power of two (the release's sizes are), so no division per slot. */
    private final long mask;
    private final MemorySegment slots;
    final DomainContext producer;
    final DomainContext consumer;
    // producer side
    private long producedLocal;
    final EventCount acked;
    private final EventChannel toConsumer;
    // consumer side
    private long consumedLocal;
    final EventCount produced;
    private final EventChannel toProducer;

    Fifo(String name, int capacity, DomainContext producer, DomainContext consumer) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a FIFO needs at least 2 slots: " + capacity);
        }
        this.name = name;
        this.capacity = capacity;
        this.mask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
        this.slots = Arena.ofAuto().allocate((long) capacity * FifoDescriptor.SLOT_BYTES, 64);
        this.producer = producer;
        this.consumer = consumer;
        this.acked = producer.newEventCount(name + ".acked");
        this.produced = consumer.newEventCount(name + ".produced");
        boolean cross = producer != consumer;
        this.toConsumer = cross ? producer.connect(produced) : null;
        this.toProducer = cross ? consumer.connect(acked) : null;
    }

    int capacity() {
        return capacity;
    }

    // ---- producer

    /** Slots the producer may fill now. */
    int freeSlots() {
        return capacity - (int) (producedLocal - acked.read());
    }

    boolean awaitFreeSlots(int n, long untilNs) {
        if (n > capacity) {
            throw new IllegalArgumentException(name + ": " + n + " slots asked of a FIFO of " + capacity);
        }
        return freeSlots() >= n || acked.await(producedLocal + n - capacity, untilNs);
    }

    boolean put(IoRecs recs, long untilNs) {
        int n = recs.count();
        if (n < 1) {
            throw new IllegalArgumentException(name + ": a packet has at least one record");
        }
        int need = n + 1;
        if (!awaitFreeSlots(need, untilNs)) {
            return false;
        }
        long at = FifoDescriptor.slotOffset(producedLocal, capacity, mask);
        slots.set(JAVA_INT, at + FifoDescriptor.COUNT_OFFSET, n);
        slots.set(JAVA_LONG, at + FifoDescriptor.VALUE_OFFSET, recs.value());
        long[] bases = recs.bases();
        int[] lens = recs.lens();
        for (int i = 0; i < n; i++) {
            long r = FifoDescriptor.slotOffset(producedLocal + 1 + i, capacity, mask);
            slots.set(JAVA_LONG, r + FifoDescriptor.BASE_OFFSET, bases[i]);
            slots.set(JAVA_INT, r + FifoDescriptor.LENGTH_OFFSET, lens[i]);
        }
        producedLocal += need;
        if (toConsumer != null) {
            toConsumer.send(need);
        } else {
            produced.advance(need);
        }
        return true;
    }

    // ---- consumer

    /** Slots published to the consumer and not yet taken. */
    int availableSlots() {
        return (int) (produced.read() - consumedLocal);
    }

    /**
     * The record count of the next packet, 0 if none is available, or -1 if the producer wrote a
     * header that cannot be right (the consumer must not trust memory another domain writes).
     */
    int peekCount() {
        int avail = availableSlots();
        if (avail == 0) {
            return 0;
        }
        int n = slots.get(JAVA_INT, FifoDescriptor.slotOffset(consumedLocal, capacity, mask) + FifoDescriptor.COUNT_OFFSET);
        return n >= 1 && n + 1 <= avail ? n : -1;
    }

    boolean awaitPacket(long untilNs) {
        return availableSlots() > 0 || produced.await(consumedLocal + 1, untilNs);
    }

    /**
     * Takes the next packet into {@code out}. False on timeout, or (leaving the packet) when it has
     * more records than {@code out} holds: then {@code out.count()} says how many it needs.
     * A corrupt header makes the FIFO unusable: {@link IllegalStateException}.
     */
    boolean get(IoRecs out, long untilNs) {
        if (!awaitPacket(untilNs)) {
            return false;
        }
        int n = peekCount();
        if (n < 0) {
            throw new IllegalStateException(name + ": corrupt packet header from " + producer.name());
        }
        if (n > out.capacity()) {
            out.count(n);
            return false;
        }
        long at = FifoDescriptor.slotOffset(consumedLocal, capacity, mask);
        out.value(slots.get(JAVA_LONG, at + FifoDescriptor.VALUE_OFFSET));
        long[] bases = out.bases();
        int[] lens = out.lens();
        for (int i = 0; i < n; i++) {
            long r = FifoDescriptor.slotOffset(consumedLocal + 1 + i, capacity, mask);
            bases[i] = slots.get(JAVA_LONG, r + FifoDescriptor.BASE_OFFSET);
            lens[i] = slots.get(JAVA_INT, r + FifoDescriptor.LENGTH_OFFSET);
        }
        out.count(n);
        consumedLocal += n + 1;
        if (toProducer != null) {
            toProducer.send(n + 1);
        } else {
            acked.advance(n + 1);
        }
        return true;
    }

    /** Tests: writes a record count into the next unread header, as a hostile producer could. */
    void corruptHeaderForTest(int count) {
        slots.set(JAVA_INT, FifoDescriptor.slotOffset(consumedLocal, capacity, mask) + FifoDescriptor.COUNT_OFFSET, count);
    }

    @Override
    public String toString() {
        return name + "(" + capacity + " slots, " + (capacity - freeSlots()) + " in use)";
    }
}

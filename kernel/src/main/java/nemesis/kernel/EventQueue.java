package nemesis.kernel;

import java.util.Arrays;

/**
 * Which of many event counts have moved, for a thread that waits on all of them: the event FIFO
 * a Nemesis domain's activation handler drains. An attached event count is queued (once, until
 * {@linkplain #poll() taken}) whenever it advances; {@link #await} waits for the queue to be
 * non-empty. Bounded by the number of attached counts; allocates only when that grows.
 */
public final class EventQueue {
    private final Domain owner;
    private final EventCount signal;
    private EventCount[] ring = new EventCount[16];
    private int head;
    private int size;

    EventQueue(Domain owner, String name) {
        this.owner = owner;
        this.signal = new EventCount(owner, name);
    }

    /** Queues {@code ec} whenever it advances from now on. It must belong to this queue's domain. */
    public void attach(EventCount ec) {
        if (ec.owner != owner) {
            throw new IllegalArgumentException(ec + " belongs to another domain than " + owner.name());
        }
        ec.queue = this;
        if (ec.value > 0) {
            offer(ec);
        }
    }

    public void detach(EventCount ec) {
        if (ec.queue == this) {
            ec.queue = null;
            if (ec.queued) {
                for (int i = 0; i < size; i++) {
                    int at = (head + i) % ring.length;
                    if (ring[at] == ec) {
                        ring[at] = null;
                    }
                }
                ec.queued = false;
            }
        }
    }

    /** The next event count that moved, or null if none. */
    public EventCount poll() {
        while (size > 0) {
            EventCount ec = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            if (ec != null) {
                ec.queued = false;
                return ec;
            }
        }
        return null;
    }

    public boolean isEmpty() {
        for (int i = 0; i < size; i++) {
            if (ring[(head + i) % ring.length] != null) {
                return false;
            }
        }
        return true;
    }

    /** Blocks the calling thread until something is queued or {@code untilNs}. True if something is. */
    public boolean await(long untilNs) {
        if (!isEmpty()) {
            return true;
        }
        return signal.await(signal.read() + 1, untilNs) || !isEmpty();
    }

    void offer(EventCount ec) {
        if (ec.queued) {
            return;
        }
        if (size == ring.length) {
            EventCount[] bigger = new EventCount[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) % ring.length] = ec;
        size++;
        ec.queued = true;
        signal.bump(1);
    }

    @Override
    public String toString() {
        return owner.name() + "." + signal.name() + Arrays.toString(ring);
    }
}

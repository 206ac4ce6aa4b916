package nemesis.atropos;

import java.util.Arrays;

/**
 * An indexed binary min-heap of scheduling domains, intrusive like {@code PQ_*} in Nemesis: each
 * sdom remembers its position so it can be removed from the middle in O(log n).
 *
 * <p>Keys are the deadline (run, wait and unblocked heaps) or the timeout (blocked heap). Equal keys
 * are ordered by sdom id so that the order, and therefore every schedule, is reproducible.
 */
final class SdomHeap<T> {
    private final boolean byTimeout;
    private final boolean unblockedSlot;
    private Sdom<T>[] heap;
    private int size;

    @SuppressWarnings("unchecked")
    SdomHeap(boolean byTimeout, boolean unblockedSlot) {
        this.byTimeout = byTimeout;
        this.unblockedSlot = unblockedSlot;
        this.heap = (Sdom<T>[]) new Sdom[16];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Sdom<T> peek() {
        return size == 0 ? null : heap[0];
    }

    /** The key of the head, {@link Atropos#NEVER} when empty. */
    long headKey() {
        return size == 0 ? Atropos.NEVER : key(heap[0]);
    }

    Sdom<T> get(int i) {
        return heap[i];
    }

    void add(Sdom<T> s) {
        assert index(s) < 0 : "already on a heap: " + s;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = s;
        setIndex(s, size);
        siftUp(size++);
    }

    Sdom<T> poll() {
        Sdom<T> head = heap[0];
        removeAt(0);
        return head;
    }

    void remove(Sdom<T> s) {
        int i = index(s);
        assert i >= 0 && heap[i] == s : "not on this heap: " + s;
        removeAt(i);
    }

    boolean contains(Sdom<T> s) {
        int i = index(s);
        return i >= 0 && i < size && heap[i] == s;
    }

    /** Restores order after the key of {@code s} changed. */
    void update(Sdom<T> s) {
        int i = index(s);
        siftUp(i);
        siftDown(index(s));
    }

    private void removeAt(int i) {
        Sdom<T> gone = heap[i];
        int last = --size;
        if (i != last) {
            Sdom<T> moved = heap[last];
            heap[i] = moved;
            setIndex(moved, i);
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
        setIndex(gone, -1);
    }

    private void siftUp(int i) {
        Sdom<T> s = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Sdom<T> p = heap[parent];
            if (!less(s, p)) {
                break;
            }
            heap[i] = p;
            setIndex(p, i);
            i = parent;
        }
        heap[i] = s;
        setIndex(s, i);
    }

    private void siftDown(int i) {
        Sdom<T> s = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Sdom<T> c = heap[child];
            int right = child + 1;
            if (right < size && less(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!less(c, s)) {
                break;
            }
            heap[i] = c;
            setIndex(c, i);
            i = child;
        }
        heap[i] = s;
        setIndex(s, i);
    }

    private boolean less(Sdom<T> a, Sdom<T> b) {
        long ka = key(a);
        long kb = key(b);
        return ka < kb || (ka == kb && a.id < b.id);
    }

    private long key(Sdom<T> s) {
        return byTimeout ? s.timeoutNs : s.deadlineNs;
    }

    private int index(Sdom<T> s) {
        return unblockedSlot ? s.unblockedIndex : s.heapIndex;
    }

    private void setIndex(Sdom<T> s, int i) {
        if (unblockedSlot) {
            s.unblockedIndex = i;
        } else {
            s.heapIndex = i;
        }
    }
}

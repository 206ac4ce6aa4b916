package nemesis.inet.host;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import nemesis.inet.HostConfig;

/** Two host stacks on a wire that queues frames: a test delivers them with {@link #pump}. */
final class Wire {
    static final HostConfig A = new HostConfig(0x0A00_0001, 24, 0, 0x02_00_00_00_00_01L, 1500);
    static final HostConfig B = new HostConfig(0x0A00_0002, 24, 0, 0x02_00_00_00_00_02L, 1500);

    record InFlight(boolean toB, byte[] bytes) {
    }

    final ArrayDeque<InFlight> queue = new ArrayDeque<>();
    final HostStack a;
    final HostStack b;
    final List<byte[]> fromA = new ArrayList<>();
    final List<byte[]> fromB = new ArrayList<>();

    Wire() {
        a = new HostStack(A, (m, off, len, now) -> send(true, m, off, len));
        b = new HostStack(B, (m, off, len, now) -> send(false, m, off, len));
    }

    private void send(boolean toB, MemorySegment m, long off, int len) {
        byte[] f = m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
        (toB ? fromA : fromB).add(f);
        queue.add(new InFlight(toB, f));
    }

    /** Delivers every frame in flight, and those they cause, in order. Returns how many. */
    int pump(long nowNs) {
        int n = 0;
        InFlight f;
        while ((f = queue.poll()) != null) {
            (f.toB ? b : a).receive(f.bytes, f.bytes.length, nowNs);
            n++;
        }
        return n;
    }

    /** Delivers what is in flight in a random order (those it causes come after, in order). */
    void pumpShuffled(long nowNs, Random r) {
        List<InFlight> now = new ArrayList<>(queue);
        queue.clear();
        Collections.shuffle(now, r);
        for (InFlight f : now) {
            (f.toB ? b : a).receive(f.bytes, f.bytes.length, nowNs);
        }
        pump(nowNs);
    }

    /** Drops what is in flight. */
    void lose() {
        queue.clear();
    }
}

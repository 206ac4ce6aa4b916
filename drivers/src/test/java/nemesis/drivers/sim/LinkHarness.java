package nemesis.drivers.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** A link between two recording sinks on a {@link ManualTimeline}: the fixture of the link tests. */
final class LinkHarness {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long MBPS = 1_000_000L;

    /** One frame given to a receiver: where, when, and a copy of its bytes. */
    record Delivery(End at, long arrivalNs, byte[] data) {
        @Override
        public String toString() {
            return at + " " + arrivalNs + " " + HexFormat.of().formatHex(data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Delivery d && d.at == at && d.arrivalNs == arrivalNs && Arrays.equals(d.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(arrivalNs) * 31 + Arrays.hashCode(data);
        }
    }

    final ManualTimeline timeline = new ManualTimeline();
    final FramePool pool;
    final EthernetLink link;
    final List<Delivery> deliveries = new ArrayList<>();

    LinkHarness(LinkConfig config) {
        this(config, 1, 1024);
    }

    LinkHarness(LinkConfig config, long seed, int poolCapacity) {
        this(config, seed, poolCapacity, "wire0");
    }

    LinkHarness(LinkConfig config, long seed, int poolCapacity, String name) {
        pool = new FramePool(poolCapacity);
        link = new EthernetLink(name, config, seed, timeline, pool);
        for (End e : End.values()) {
            link.attach(e, (f, arrivalNs) -> {
                deliveries.add(new Delivery(e, arrivalNs, Arrays.copyOf(f.bytes(), f.length())));
                f.release();
            });
        }
    }

    /** Moves time to {@code nowNs} (running what is due, as the kernel would), then sends a copy. */
    long send(End from, byte[] data, long nowNs) {
        timeline.runUntil(nowNs);
        Frame f = pool.copyOf(data, 0, data.length);
        if (f == null) {
            throw new IllegalStateException("pool empty");
        }
        return link.send(from, f, nowNs);
    }

    /** A frame of {@code len} bytes numbered {@code seq} in bytes 14..17 (or as far as it goes). */
    static byte[] frame(int seq, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seq);
        }
        for (int i = 0; i < 4 && 14 + i < len; i++) {
            b[14 + i] = (byte) (seq >>> (24 - 8 * i));
        }
        return b;
    }

    static int seq(byte[] b) {
        return (b[14] & 0xff) << 24 | (b[15] & 0xff) << 16 | (b[16] & 0xff) << 8 | (b[17] & 0xff);
    }

    List<Delivery> at(End e) {
        return deliveries.stream().filter(d -> d.at() == e).toList();
    }

    List<String> trace() {
        return deliveries.stream().map(Delivery::toString).toList();
    }
}

package nemesis.inet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;

/** Test datagrams and fragment lists. */
final class Datagrams {
    private Datagrams() {
    }

    /**
     * Options of a 36-byte header: NOP, a copied loose-source-route-like option (type 0x83, 7
     * bytes), a non-copied record-route-like option (type 0x07, 7 bytes), end of options.
     */
    static final byte[] OPTIONS = {1, (byte) 0x83, 7, 4, 10, 0, 0, 9, 0x07, 7, 4, 0, 0, 0, 0, 0};
    /** What later fragments carry: the copied option, padded with end-of-options. */
    static final byte[] COPIED_OPTIONS = {(byte) 0x83, 7, 4, 10, 0, 0, 9, 0};

    /** A datagram with {@code payload} random bytes (seeded), DF clear, checksum filled. */
    static MemorySegment datagram(Arena arena, boolean withOptions, int payload, int id, SplittableRandom rnd) {
        int hl = withOptions ? 20 + OPTIONS.length : 20;
        MemorySegment seg = arena.allocate(hl + payload);
        Ipv4Packet ip = new Ipv4Packet().wrap(seg, 0, hl + payload);
        ip.headerLength(hl).tos(0x10).totalLength(hl + payload).identification(id).fragment(false, false, 0)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).src(0x0A00_0001).dst(0x0A00_0002);
        if (withOptions) {
            MemorySegment.copy(OPTIONS, 0, seg, ValueLayout.JAVA_BYTE, 20, OPTIONS.length);
        }
        for (int i = 0; i < payload; i += 8) {
            long r = rnd.nextLong();
            for (int k = 0; k < 8 && i + k < payload; k++) {
                BigEndian.u8(seg, hl + i + k, (int) (r >>> (8 * k)));
            }
        }
        ip.fillChecksum();
        return seg;
    }

    /** The pieces {@link Ipv4Fragmenter} makes of {@code datagram} for {@code mtu}, each in its own segment. */
    static List<MemorySegment> fragment(Arena arena, MemorySegment datagram, int mtu) {
        Ipv4Fragmenter f = new Ipv4Fragmenter();
        Ipv4Fragmenter.Result r = f.begin(datagram, 0, (int) datagram.byteSize(), mtu);
        if (r != Ipv4Fragmenter.Result.OK) {
            throw new AssertionError("fragmenter refused: " + r);
        }
        List<MemorySegment> out = new ArrayList<>(f.fragmentCount());
        MemorySegment scratch = arena.allocate(Math.max(mtu, 65535));
        while (f.hasNext()) {
            int expected = f.nextLength();
            int n = f.next(scratch, 0);
            if (n != expected) {
                throw new AssertionError("nextLength said " + expected + ", next wrote " + n);
            }
            MemorySegment piece = arena.allocate(n);
            MemorySegment.copy(scratch, 0, piece, 0, n);
            out.add(piece);
        }
        if (out.size() != f.fragmentCount()) {
            throw new AssertionError("fragmentCount said " + f.fragmentCount() + ", got " + out.size());
        }
        return out;
    }

    static Ipv4Packet wrap(MemorySegment seg) {
        return new Ipv4Packet().wrap(seg, 0, (int) seg.byteSize());
    }
}

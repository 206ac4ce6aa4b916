package nemesis.inet;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nemesis.inet.host.HostStack;
import nemesis.inet.wire.ArpPacket;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.MacAddress;

/**
 * Frames for a receiver to survive: valid ones of every kind a host meets (UDP to an open and a
 * closed port, fragments, ARP requests and replies, pings), mutated — bytes changed (mostly in the
 * headers), cut short, lengthened, checksums sometimes made right again so the damage reaches
 * the deeper layers — and plain random bytes. Seeded: the same seed, the same frames.
 */
public final class FrameFuzzer {
    public static final HostConfig HOST = nemesis.inet.peer.SimNetwork.Config.HOST;
    public static final HostConfig OTHER = nemesis.inet.peer.SimNetwork.Config.PEER;
    public static final int PORT = 6000;

    private final SplittableRandom r;
    private final List<byte[]> templates = new ArrayList<>();
    public final byte[] frame = new byte[1518];
    public final MemorySegment segment = MemorySegment.ofArray(frame);

    public FrameFuzzer(long seed) {
        r = new SplittableRandom(seed);
        // Valid frames, as the other host would send them to HOST.
        HostStack other = new HostStack(OTHER, (m, off, len, now) -> templates.add(m.asSlice(off, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        other.addStaticArp(HOST.ip(), HOST.mac());
        for (int size : new int[] {0, 1, 8, 100, 1000, 1472, 3000, 8000}) {
            byte[] p = new byte[size];
            Pattern.fill(p, 0, size, size);
            other.sendUdp(40000, HOST.ip(), PORT, MemorySegment.ofArray(p), 0, size, 0);
            other.sendUdp(40000, HOST.ip(), 7777, MemorySegment.ofArray(p), 0, Math.min(size, 100), 0);
        }
        byte[] d = new byte[2000];
        other.sendEcho(HOST.ip(), 1, 1, MemorySegment.ofArray(d), 0, 56, 0);
        other.sendEcho(HOST.ip(), 1, 2, MemorySegment.ofArray(d), 0, 2000, 0);
        byte[] arp = new byte[42];
        MemorySegment a = MemorySegment.ofArray(arp);
        Headers.ethernet(a, 0, MacAddress.BROADCAST, OTHER.mac(), 0x0806);
        new ArpPacket().wrap(a, 14, 28).request(OTHER.mac(), OTHER.ip(), HOST.ip());
        templates.add(arp.clone());
        new ArpPacket().wrap(a, 14, 28).reply(OTHER.mac(), OTHER.ip(), HOST.mac(), HOST.ip());
        Headers.ethernet(a, 0, HOST.mac(), OTHER.mac(), 0x0806);
        templates.add(arp);
    }

    int templates() {
        return templates.size();
    }

    /** The next frame, in {@link #frame}; returns its length. */
    public int next() {
        int kind = r.nextInt(100);
        if (kind < 8) {
            int len = r.nextInt(frame.length + 1);
            for (int i = 0; i < len; i++) {
                frame[i] = (byte) r.nextInt(256);
            }
            return len;
        }
        byte[] t = templates.get(r.nextInt(templates.size()));
        int len = t.length;
        System.arraycopy(t, 0, frame, 0, len);
        // A new identification now and then: fragments of different datagrams meet in reassembly.
        if (len > 34 && frame[12] == 8 && frame[13] == 0 && r.nextInt(4) == 0) {
            BigEndian.u16(segment, 18, r.nextInt(8));
            fixIp();
        }
        if (kind < 30) {
            return len; // intact
        }
        int changes = 1 + r.nextInt(4);
        for (int c = 0; c < changes; c++) {
            int at = r.nextInt(10) < 7 ? r.nextInt(Math.min(len, 64)) : r.nextInt(len);
            frame[at] = (byte) r.nextInt(256);
        }
        int cut = r.nextInt(20);
        if (cut == 0) {
            len = r.nextInt(len + 1);
        } else if (cut == 1) {
            int more = Math.min(frame.length - len, r.nextInt(64));
            for (int i = 0; i < more; i++) {
                frame[len + i] = (byte) r.nextInt(256);
            }
            len += more;
        }
        if (r.nextBoolean()) {
            fixIp();
        }
        if (r.nextInt(3) == 0) {
            fixUdp(len);
        }
        return len;
    }

    /** Makes the IPv4 header checksum right again, if the header is there. */
    private void fixIp() {
        int ihl = (frame[14] & 0xF) * 4;
        if (ihl >= 20 && 14 + ihl <= frame.length) {
            BigEndian.u16(segment, 24, 0);
            BigEndian.u16(segment, 24, Checksum.compute(segment, 14, ihl));
        }
    }

    /** Makes the UDP checksum right again over what Length says, if it lies inside the frame. */
    private void fixUdp(int len) {
        int ihl = (frame[14] & 0xF) * 4;
        if (frame[23] != 17 || ihl < 20 || 14 + ihl + 8 > len) {
            return;
        }
        int u = 14 + ihl;
        int ulen = BigEndian.u16(segment, u + 4);
        if (ulen < 8 || u + ulen > len) {
            return;
        }
        BigEndian.u16(segment, u + 6, 0);
        int src = BigEndian.i32(segment, 26);
        int dst = BigEndian.i32(segment, 30);
        int c = Checksum.compute(segment, u, ulen, Checksum.pseudoHeaderSum(src, dst, 17, ulen));
        BigEndian.u16(segment, u + 6, c == 0 ? 0xFFFF : c);
    }
}

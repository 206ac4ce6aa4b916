package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import nemesis.inet.host.HostStack;
import nemesis.wire.Checksum;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * UDP payloads of every size 0..65507 survive the trip both ways between InetMod's own code
 * ({@link UdpOutput} out, {@link UdpInput} in) and the conventional host stack, byte for byte,
 * whatever order the fragments arrive in.
 */
class UdpRoundTripProperties {
    static final HostConfig NEMESIS = new HostConfig(0x0A00_0001, 24, 0, 0x02_00_00_00_00_01L, 1500);
    static final HostConfig PEER = new HostConfig(0x0A00_0002, 24, 0, 0x02_00_00_00_00_02L, 1500);

    static byte[] payload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Property(tries = 150)
    void nemesisToHost(@ForAll @IntRange(min = 0, max = 65507) int size, @ForAll long seed) {
        byte[] p = payload(size, seed);
        MemorySegment ps = MemorySegment.ofArray(p);
        UdpOutput out = new UdpOutput();
        int n = out.begin(NEMESIS.mac(), PEER.mac(), NEMESIS.ip(), PEER.ip(), 16000, 5001, size,
                Checksum.sum(ps, 0, size), (int) seed, 64, NEMESIS.mtu());
        List<byte[]> frames = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte[] f = new byte[out.headerLength(k) + out.bodyLength(k)];
            MemorySegment fs = MemorySegment.ofArray(f);
            int hl = out.writeHeaders(k, fs, 0);
            MemorySegment.copy(ps, out.bodyOffset(k), fs, hl, out.bodyLength(k));
            assertTrue(f.length <= 1514, "a frame fits the MTU");
            frames.add(f);
        }
        Collections.shuffle(frames, new Random(seed));
        List<byte[]> got = new ArrayList<>();
        HostStack host = new HostStack(PEER, (m, off, len, now) -> { });
        host.bindUdp(5001, (src, sport, dport, m, off, len, now) -> got.add(m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
        for (byte[] f : frames) {
            host.receive(f, f.length, 0);
        }
        assertEquals(1, got.size(), () -> host.counters().toString());
        assertArrayEquals(p, got.get(0));
    }

    @Property(tries = 150)
    void hostToNemesis(@ForAll @IntRange(min = 0, max = 65507) int size, @ForAll long seed) {
        byte[] p = payload(size, seed);
        List<byte[]> frames = new ArrayList<>();
        HostStack host = new HostStack(PEER, (m, off, len, now) -> frames.add(m.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
        host.addStaticArp(NEMESIS.ip(), NEMESIS.mac());
        assertEquals(HostStack.Sent.SENT, host.sendUdp(5001, NEMESIS.ip(), 16000, MemorySegment.ofArray(p), 0, size, 0));
        Collections.shuffle(frames, new Random(seed));
        UdpInput in = new UdpInput(Ipv4Input.withReassembly(NEMESIS.ip(), 4), 16000);
        byte[] got = null;
        for (byte[] f : frames) {
            if (in.accept(MemorySegment.ofArray(f), 0, f.length, 0)) {
                got = in.payloadSegment().asSlice(in.payloadOffset(), in.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
                assertEquals(5001, in.srcPort());
                assertEquals(PEER.ip(), in.srcIp());
                in.done();
            }
        }
        assertArrayEquals(p, got);
        assertEquals(0, in.drops().total() + in.ip().drops().total());
    }
}

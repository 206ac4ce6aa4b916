package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import nemesis.inet.host.HostStack;
import nemesis.wire.Checksum;
import org.junit.jupiter.api.Test;

/**
 * The per-packet paths allocate nothing once warm: the host stack sending and receiving
 * (fragmentation and reassembly included), a socket's input, InetMod's output headers, a sink's
 * meter. Measured with the JVM's per-thread allocation counter around steady loops.
 */
class SteadyStateAllocationTest {
    static final int ROUNDS = 20_000;
    /** Slack for the odd object the JIT's own deoptimisation may cost a loop; far below one per packet. */
    static final long SLACK_BYTES = 4_096;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Frames a stack sent, kept in preallocated buffers. */
    static final class Captured {
        final MemorySegment[] frames = new MemorySegment[64];
        final int[] lengths = new int[64];
        int count;

        Captured() {
            for (int i = 0; i < frames.length; i++) {
                frames[i] = Arena.ofAuto().allocate(1518);
            }
        }

        void add(MemorySegment m, long off, int len) {
            MemorySegment.copy(m, off, frames[count], 0, len);
            lengths[count++] = len;
        }
    }

    static long allocated(Runnable loop) {
        loop.run(); // warm up: the JIT compiles, maps and pools reach their size
        loop.run();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        loop.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void theHostStackSendsAndReceivesWithoutAllocating() {
        HostConfig a = FrameFuzzer.HOST;
        HostConfig b = FrameFuzzer.OTHER;
        Captured wire = new Captured();
        HostStack sender = new HostStack(b, (m, off, len, now) -> wire.add(m, off, len));
        sender.addStaticArp(a.ip(), a.mac());
        HostStack receiver = new HostStack(a, (m, off, len, now) -> { });
        long[] got = new long[1];
        receiver.bindUdp(FrameFuzzer.PORT, (src, sport, dport, p, off, len, now) -> got[0] += len);
        MemorySegment payload = Arena.ofAuto().allocate(8192);
        long[] now = new long[1];
        long bytes = allocated(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                int size = i % 2 == 0 ? 1472 : 8192;
                Pattern.fill(payload, 0, size, i);
                wire.count = 0;
                sender.sendUdp(40000, a.ip(), FrameFuzzer.PORT, payload, 0, size, now[0]);
                for (int k = 0; k < wire.count; k++) {
                    receiver.receive(wire.frames[k], 0, wire.lengths[k], now[0]);
                }
                now[0] += 10_000;
            }
        });
        assertEquals(3L * ROUNDS / 2 * (1472 + 8192), got[0], "everything arrived");
        assertTrue(bytes < SLACK_BYTES, "allocated " + bytes + " bytes over " + ROUNDS + " datagrams");
    }

    @Test
    void inetModsOwnPathsDoNotAllocate() {
        HostConfig a = FrameFuzzer.HOST;
        HostConfig b = FrameFuzzer.OTHER;
        UdpOutput out = new UdpOutput();
        UdpInput in = new UdpInput(Ipv4Input.withReassembly(b.ip(), 4), 5001);
        SinkMeter meter = new SinkMeter(true, 0);
        MemorySegment payload = Arena.ofAuto().allocate(8192);
        MemorySegment frame = Arena.ofAuto().allocate(1518);
        long[] delivered = new long[1];
        long[] id = new long[1];
        long bytes = allocated(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                int size = i % 2 == 0 ? 1472 : 8192;
                Pattern.fill(payload, 0, size, i);
                int n = out.begin(a.mac(), b.mac(), a.ip(), b.ip(), 16000, 5001, size, Checksum.sum(payload, 0, size),
                        (int) id[0]++, 64, 1500);
                for (int k = 0; k < n; k++) {
                    int hl = out.writeHeaders(k, frame, 0);
                    MemorySegment.copy(payload, out.bodyOffset(k), frame, hl, out.bodyLength(k));
                    if (in.accept(frame, 0, hl + out.bodyLength(k), 0)) {
                        meter.record(in.payloadSegment(), in.payloadOffset(), in.payloadLength(), i);
                        delivered[0]++;
                        in.done();
                    }
                }
            }
        });
        assertEquals(3L * ROUNDS, delivered[0]);
        assertTrue(meter.verified());
        assertTrue(bytes < SLACK_BYTES, "allocated " + bytes + " bytes over " + ROUNDS + " datagrams");
    }
}

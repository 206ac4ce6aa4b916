package nemesis.inet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import nemesis.drivers.ReceiveDemux;
import nemesis.inet.host.HostStack;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

/**
 * A million random and mutated frames into the receive paths of both kinds of host: the driver's
 * demultiplexer and a socket's input on the Nemesis side, and the conventional host stack.
 * Nothing throws, every frame is accounted for (delivered, kept as a fragment, or dropped and
 * counted), no reassembly buffer leaks, and a valid datagram still gets through afterwards.
 */
class ReceivePathFuzzTest {
    static final int FRAMES = 1_000_000;
    static final long STEP_NS = 50_000; // 50 s of reassembly time over the run: timeouts happen

    @Test
    void aMillionFramesAreAllAccountedFor() {
        FrameFuzzer fuzz = new FrameFuzzer(42);
        HostConfig host = FrameFuzzer.HOST;
        ReceiveDemux<String> demux = new ReceiveDemux<>(host.mac(), host.ip());
        demux.addListen(Ipv4Packet.PROTO_UDP, FrameFuzzer.PORT, "socket");
        demux.arpClient("arp");
        demux.defaultClient("default");
        FixedBufferPool reassembly = new FixedBufferPool(4, Ipv4Reassembler.bufferCapacityFor(65535));
        UdpInput socket = new UdpInput(new Ipv4Input(host.ip(), reassembly, 4), FrameFuzzer.PORT);
        long[] sent = new long[1];
        HostStack stack = new HostStack(host, (m, off, len, now) -> sent[0]++);
        long[] delivered = new long[1];
        stack.bindUdp(FrameFuzzer.PORT, (src, sport, dport, m, off, len, now) -> delivered[0]++);
        Map<ReceiveDemux.Result, Long> demuxed = new EnumMap<>(ReceiveDemux.Result.class);
        Map<String, Long> targets = new java.util.TreeMap<>();

        long now = 0;
        for (int i = 0; i < FRAMES; i++) {
            int len = fuzz.next();
            ReceiveDemux.Result r = demux.classify(fuzz.segment, 0, len, now);
            demuxed.merge(r, 1L, Long::sum);
            if (r == ReceiveDemux.Result.DELIVER) {
                targets.merge(demux.target(), 1L, Long::sum);
            }
            if (socket.accept(fuzz.segment, 0, len, now)) {
                assertTrue(socket.payloadLength() >= 0 && socket.payloadLength() <= 65507);
                socket.done();
            }
            stack.receive(fuzz.segment, 0, len, now);
            if (now >= stack.nextTimerNs()) {
                stack.poll(now);
            }
            now += STEP_NS;
        }

        long demuxTotal = demuxed.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(FRAMES, demuxTotal);
        Ipv4Input ip = socket.ip();
        assertEquals(FRAMES, ip.frames());
        assertEquals(ip.frames(), ip.wholeDatagrams() + ip.fragments() + ip.drops().total(), "every frame accounted for");
        assertEquals(ip.datagrams(), socket.delivered() + socket.drops().total(), "every datagram accounted for");
        assertEquals(FRAMES, stack.frames());
        assertEquals(0, stack.unaccountedFrames(), stack.counters()::toString);
        assertEquals(0, stack.unaccountedDatagrams(), stack.counters()::toString);
        assertEquals(ip.reassembler().inProgress(), reassembly.inUse(), "no reassembly buffer leaked");

        // Each path saw real traffic, not just drops.
        assertTrue(socket.delivered() > 10_000, "socket delivered " + socket.delivered());
        assertTrue(ip.reassembled() > 1_000, "reassembled " + ip.reassembled());
        assertTrue(delivered[0] > 10_000 && stack.echoRequestsAnswered() > 1_000 && sent[0] > 10_000, stack.counters()::toString);
        assertTrue(targets.getOrDefault("socket", 0L) > 10_000 && targets.getOrDefault("arp", 0L) > 1_000
                && targets.getOrDefault("default", 0L) > 1_000, targets::toString);
        assertTrue(ip.drops().get(Ipv4Input.Drop.IP_BAD_CHECKSUM) > 0 && socket.drops().get(UdpInput.Drop.UDP_BAD_CHECKSUM) > 0);

        // And still works.
        ip.expire(now + Ipv4Reassembler.DEFAULT_TIMEOUT_NS);
        assertEquals(0, reassembly.inUse());
        FrameFuzzer clean = new FrameFuzzer(1);
        long before = socket.delivered();
        long stackBefore = delivered[0];
        for (int i = 0; i < 1000; i++) {
            int len = clean.next();
            if (socket.accept(clean.segment, 0, len, now)) {
                socket.done();
            }
            stack.receive(clean.segment, 0, len, now);
        }
        assertTrue(socket.delivered() > before && delivered[0] > stackBefore);
    }
}

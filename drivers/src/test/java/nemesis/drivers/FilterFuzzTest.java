package nemesis.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

/**
 * The packet filters take any bytes: a million random and mutated frames through the receive
 * demultiplexer and the transmit filter never throw; each frame is delivered to a client, held
 * (a fragment), or dropped with a reason; and a frame is delivered only if it is well formed.
 */
class FilterFuzzTest {
    static final long HOST_MAC = DriverHarness.HOST_MAC;
    static final int HOST_IP = DriverHarness.HOST_IP;

    @Test
    void aMillionFramesThroughTheReceiveDemux() {
        ReceiveDemux<String> demux = new ReceiveDemux<>(HOST_MAC, HOST_IP);
        demux.arpClient("arp");
        demux.defaultClient("default");
        demux.addListen(Ipv4Packet.PROTO_UDP, 5001, "sink");
        demux.addExact(Ipv4Packet.PROTO_UDP, 6000, DriverHarness.PEER_IP, 9, "conn");
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] valid = DriverHarness.udpFrame(DriverHarness.PEER_MAC, HOST_MAC, DriverHarness.PEER_IP, HOST_IP, 9,
                5001, 200, 1);
        // Each frame sits at the very end of its segment: a read past it would throw.
        MemorySegment mem = Arena.ofAuto().allocate(2048);
        Map<ReceiveDemux.Result, Integer> results = new EnumMap<>(ReceiveDemux.Result.class);
        Map<ReceiveDemux.Drop, Integer> drops = new EnumMap<>(ReceiveDemux.Drop.class);
        int deliveredValid = 0;
        for (int i = 0; i < 1_000_000; i++) {
            int len;
            byte[] frame;
            if (i % 2 == 0) {
                len = rnd.nextInt(0, 1515);
                frame = new byte[len];
                rnd.nextBytes(frame);
                if (rnd.nextBoolean() && len >= 14) { // often addressed to us, so the deeper checks run
                    for (int b = 0; b < 6; b++) {
                        frame[b] = (byte) (HOST_MAC >>> (40 - 8 * b));
                    }
                    frame[12] = 0x08;
                    frame[13] = (byte) (rnd.nextInt(4) == 0 ? 0x06 : 0x00);
                }
            } else {
                frame = valid.clone();
                len = frame.length;
                switch (rnd.nextInt(4)) {
                    case 0 -> len = rnd.nextInt(0, len + 1); // truncated
                    case 1 -> frame[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8)); // a bit flipped
                    case 2 -> frame[14 + rnd.nextInt(20)] = (byte) rnd.nextInt(256); // an IP header byte
                    default -> { // a length field at an extreme
                        frame[16] = (byte) (rnd.nextBoolean() ? 0xFF : 0);
                        frame[17] = (byte) (rnd.nextBoolean() ? 0xFF : 0);
                    }
                }
            }
            long off = mem.byteSize() - len;
            MemorySegment.copy(frame, 0, mem, ValueLayout.JAVA_BYTE, off, len);
            ReceiveDemux.Result r = demux.classify(mem, off, len, i);
            results.merge(r, 1, Integer::sum);
            if (r == ReceiveDemux.Result.DROP) {
                assertNotEquals(ReceiveDemux.Drop.NONE, demux.drop());
                drops.merge(demux.drop(), 1, Integer::sum);
            } else if (r == ReceiveDemux.Result.DELIVER) {
                assertNotNull(demux.target());
                if (len == valid.length && java.util.Arrays.equals(frame, valid)) {
                    deliveredValid++;
                }
            }
        }
        int total = results.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(1_000_000, total);
        assertTrue(drops.getOrDefault(ReceiveDemux.Drop.IP_BAD_CHECKSUM, 0) > 1000, drops::toString);
        assertTrue(drops.getOrDefault(ReceiveDemux.Drop.IP_TRUNCATED, 0) > 1000, drops::toString);
        assertTrue(results.getOrDefault(ReceiveDemux.Result.DELIVER, 0) > 0, results::toString);
    }

    @Test
    void aMillionHeadersThroughTheTransmitFilter() {
        TransmitFilter f = new TransmitFilter();
        f.template(TransmitFilter.Template.ipv4(HOST_MAC, Ipv4Packet.PROTO_UDP, HOST_IP, 5000));
        byte[] valid = DriverHarness.udpFrame(HOST_MAC, DriverHarness.PEER_MAC, HOST_IP, DriverHarness.PEER_IP, 5000,
                9, 0, 1);
        MemorySegment src = Arena.ofAuto().allocate(256);
        MemorySegment dst = Arena.ofAuto().allocate(TransmitFilter.MAX_HEADER);
        SplittableRandom rnd = new SplittableRandom(7);
        Map<TransmitFilter.Verdict, Integer> verdicts = new EnumMap<>(TransmitFilter.Verdict.class);
        for (int i = 0; i < 1_000_000; i++) {
            byte[] h = valid.clone();
            int len = h.length;
            if (i % 3 == 0) {
                len = rnd.nextInt(0, 200);
                h = new byte[len];
                rnd.nextBytes(h);
            } else if (i % 3 == 1) {
                h[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8));
            }
            long off = src.byteSize() - len;
            MemorySegment.copy(h, 0, src, ValueLayout.JAVA_BYTE, off, len);
            TransmitFilter.Verdict v = f.copyAndCheck(src, off, len, dst, 0);
            verdicts.merge(v, 1, Integer::sum);
            if (v == TransmitFilter.Verdict.PASS) {
                // Whatever else changed, what identifies the sender did not.
                assertEquals(HOST_MAC, TransmitFilter.macAt(dst, 6));
                assertEquals(HOST_IP, nemesis.wire.BigEndian.i32(dst, 14 + 12));
                assertEquals(5000, nemesis.wire.BigEndian.u16(dst, 34));
            }
        }
        assertTrue(verdicts.getOrDefault(TransmitFilter.Verdict.PASS, 0) > 300_000, verdicts::toString);
        assertTrue(verdicts.getOrDefault(TransmitFilter.Verdict.WRONG_SOURCE_PORT, 0) > 0, verdicts::toString);
    }
}

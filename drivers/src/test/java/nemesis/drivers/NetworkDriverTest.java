package nemesis.drivers;

import static nemesis.drivers.DriverHarness.HOST_IP;
import static nemesis.drivers.DriverHarness.HOST_MAC;
import static nemesis.drivers.DriverHarness.MS;
import static nemesis.drivers.DriverHarness.PEER_IP;
import static nemesis.drivers.DriverHarness.PEER_MAC;
import static nemesis.drivers.DriverHarness.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.drivers.sim.Faults;

import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

class NetworkDriverTest {
    /** A client that opens its channels, is registered as a UDP sender on {@code port}, and runs {@code body}. */
    static void client(DriverHarness h, String name, int port, Qos cpu, Qos tx, ClientBody body) {
        h.kernel.createDomain(name, "test", cpu, ctx -> {
            while (h.driver.domain() == null) {
                ctx.sleepUntil(ctx.nowNs() + 10 * US);
            }
            ClientChannels ch = ClientChannels.open(ctx, h.driver.domain(), name, 8, 16);
            ClientBinding b = h.driver.addClient(ctx, ch.rxChannel().slave(), ch.txChannel().slave(), tx);
            h.driver.setTemplate(b, TransmitFilter.Template.ipv4(HOST_MAC, Ipv4Packet.PROTO_UDP, HOST_IP, port));
            h.driver.addListen(b, Ipv4Packet.PROTO_UDP, port);
            body.run(ctx, ch, b);
        }, 10 * US);
    }

    interface ClientBody {
        void run(DomainContext ctx, ClientChannels ch, ClientBinding b) throws Exception;
    }

    /** Sends {@code count} UDP frames of {@code payload} bytes from {@code sport}, as fast as buffers allow. */
    static void blast(DomainContext ctx, ClientChannels ch, int sport, int payload, int count) {
        for (int i = 0; i < count; i++) {
            int buf = ch.allocate(Kernel.NEVER);
            int len = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), HOST_MAC, PEER_MAC, HOST_IP,
                    PEER_IP, sport, 9, Math.min(payload, ClientChannels.TX_HEADER - 42), i);
            ch.send(buf, len, 0, Kernel.NEVER);
        }
    }

    @Test
    void aFrameGoesOutIntactAndTheBufferComesBack() {
        DriverHarness h = new DriverHarness(10_000_000L, 31, "ideal", Faults.NONE);
        byte[][] sent = new byte[1][];
        int[] free = new int[1];
        client(h, "c", 5000, Qos.of(10 * MS, 2 * MS, true), Qos.of(10 * MS, 5 * MS, true), (ctx, ch, b) -> {
            int buf = ch.allocate(Kernel.NEVER);
            int len = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), HOST_MAC, PEER_MAC, HOST_IP,
                    PEER_IP, 5000, 9, 50, 7);
            sent[0] = ch.txMemory().asSlice(ch.txHeaderOffset(buf), len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            ch.send(buf, len, 0, Kernel.NEVER);
            ctx.sleepUntil(ctx.nowNs() + 5 * MS);
            ch.reclaim(0);
            free[0] = ch.freeTxBuffers();
        });
        h.kernel.run(20 * MS, 0);
        assertEquals(1, h.atPeer.size());
        assertArrayEquals(sent[0], h.atPeer.get(0));
        assertEquals(16, free[0], "the buffer came back after the card sent it");
    }

    /**
     * A lost wake-up the TAP card's real time exposed: the driver finds a channel's FIFO empty,
     * waits for its only descriptor, and meanwhile the client puts a frame. The notification comes
     * while the channel is still the scheduler's current one; blocking it then as idle would leave
     * the frame queued for good.
     */
    @Test
    void aFramePutWhileTheDriverWaitsForADescriptorStillGoes() {
        // 1 Mb/s: a frame of the harness's largest (a header buffer's) is on the wire for ~1 ms
        DriverHarness h = new DriverHarness(1_000_000L, 1, "ideal", Faults.NONE);
        client(h, "c", 5000, Qos.of(10 * MS, 2 * MS, true), Qos.of(10 * MS, 5 * MS, true), (ctx, ch, b) -> {
            blast(ctx, ch, 5000, 1400, 1); // the one descriptor is busy while it is on the wire
            ctx.sleepUntil(ctx.nowNs() + 300 * US);
            blast(ctx, ch, 5000, 1400, 1); // put while the driver waits for the descriptor
            ctx.sleepUntil(Kernel.NEVER);
        });
        h.kernel.run(20 * MS, 0);
        assertEquals(2, h.atPeer.size(), "the second frame went too");
    }

    @Test
    void spoofedSourcesAreReturnedUnsentAndCounted() {
        DriverHarness h = new DriverHarness(10_000_000L, 31, "ideal", Faults.NONE);
        int[] free = new int[1];
        client(h, "mallory", 5000, Qos.of(10 * MS, 2 * MS, true), Qos.of(10 * MS, 5 * MS, true), (ctx, ch, b) -> {
            int[][] lies = {{5001, HOST_IP}, {5000, PEER_IP}};
            for (int[] lie : lies) {
                int buf = ch.allocate(Kernel.NEVER);
                int len = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), HOST_MAC, PEER_MAC, lie[1],
                        PEER_IP, lie[0], 9, 20, 1);
                ch.send(buf, len, 0, Kernel.NEVER);
            }
            int buf = ch.allocate(Kernel.NEVER);
            int len = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), PEER_MAC, PEER_MAC, HOST_IP,
                    PEER_IP, 5000, 9, 20, 1);
            ch.send(buf, len, 0, Kernel.NEVER); // another's source MAC
            ctx.sleepUntil(ctx.nowNs() + 5 * MS);
            ch.reclaim(0);
            free[0] = ch.freeTxBuffers();
        });
        h.kernel.run(20 * MS, 0);
        assertEquals(0, h.atPeer.size(), "nothing spoofed reached the wire");
        assertEquals(3, h.driver.counters().get(DriverCounters.Reason.TX_SPOOFED));
        assertEquals(16, free[0], "every refused buffer came back");
    }

    @Test
    void eachDomainReceivesOnlyItsOwnTraffic() {
        DriverHarness h = new DriverHarness(100_000_000L, 31, "ideal", Faults.NONE);
        List<String> got = new ArrayList<>();
        for (int port : new int[] {6000, 6001}) {
            client(h, "rx" + port, port, Qos.of(10 * MS, 1 * MS, true), Qos.of(10 * MS, 1 * MS, false), (ctx, ch, b) -> {
                ClientChannels.RxFrame f = new ClientChannels.RxFrame();
                while (ch.receive(f, Kernel.NEVER)) {
                    byte[] bytes = f.memory().asSlice(f.offset(), f.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    got.add(ctx.name() + " got port " + DriverHarness.dstPort(bytes));
                    ch.recycle(f);
                }
            });
        }
        h.peerSends(DriverHarness.udpFrame(PEER_MAC, HOST_MAC, PEER_IP, HOST_IP, 9, 6001, 100, 1), 2 * MS);
        h.peerSends(DriverHarness.udpFrame(PEER_MAC, HOST_MAC, PEER_IP, HOST_IP, 9, 6000, 100, 2), 3 * MS);
        h.peerSends(DriverHarness.udpFrame(PEER_MAC, HOST_MAC, PEER_IP, HOST_IP, 9, 7777, 100, 3), 4 * MS);
        h.peerSends(DriverHarness.udpFrame(PEER_MAC, HOST_MAC, PEER_IP, 0x0A000001, 9, 6000, 100, 4), 5 * MS);
        h.kernel.run(20 * MS, 0);
        assertEquals(List.of("rx6001 got port 6001", "rx6000 got port 6000"), got);
        assertEquals(1, h.driver.counters().get(DriverCounters.Reason.RX_NO_DEFAULT_CLIENT), "port 7777: nobody");
        assertEquals(1, h.driver.counters().get(DriverCounters.Reason.RX_NOT_OUR_IP));
    }

    @Test
    void withoutAPrimedBufferAFrameIsDroppedAndCounted() {
        DriverHarness h = new DriverHarness(100_000_000L, 31, "ideal", Faults.NONE);
        client(h, "lazy", 6000, Qos.of(10 * MS, 1 * MS, true), Qos.of(10 * MS, 1 * MS, false),
                (ctx, ch, b) -> ctx.sleepUntil(Kernel.NEVER)); // never takes what arrives: 8 buffers fill
        for (int i = 0; i < 12; i++) {
            h.peerSends(DriverHarness.udpFrame(PEER_MAC, HOST_MAC, PEER_IP, HOST_IP, 9, 6000, 100, i), (2 + i) * MS);
        }
        h.kernel.run(30 * MS, 0);
        assertEquals(4, h.driver.counters().get(DriverCounters.Reason.RX_NO_BUFFER));
        assertEquals(8, h.driver.bindings().get(0).framesReceived());
    }

    /**
     * Rate control: saturating senders with transmit reservations and no extra time each get
     * slice/period of the wire time, within 1%, at 10 and 100 Mb/s, whatever the others do.
     */
    @Test
    void reservationsRateControlTheWire() {
        for (long rate : new long[] {10_000_000L, 100_000_000L}) {
            long frame = Math.ceilDiv(1500 * 8_000_000_000L, rate); // charged: the IP datagram
            DriverHarness h = new DriverHarness(rate, 31, "p200-de4x5", Faults.NONE);
            long[][] tx = {{10 * MS, 2 * frame}, {20 * MS, 3 * frame}, {5 * MS, frame / 2}};
            for (int i = 0; i < tx.length; i++) {
                int port = 7000 + i;
                client(h, "s" + i, port, Qos.of(10 * MS, 1 * MS, true), Qos.of(tx[i][0], tx[i][1], false),
                        (ctx, ch, b) -> {
                            while (true) {
                                int buf = ch.allocate(Kernel.NEVER);
                                int hdr = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), HOST_MAC,
                                        PEER_MAC, HOST_IP, PEER_IP, port, 9, 0, 0);
                                // headers say 0 bytes of payload; the wire sees 1514 bytes: that is all we measure
                                ch.send(buf, hdr, 1514 - hdr, Kernel.NEVER);
                            }
                        });
            }
            long end = 2_000 * MS;
            h.kernel.run(end, 200 * MS);
            long measured = end - 200 * MS;
            for (int i = 0; i < tx.length; i++) {
                ClientBinding b = h.driver.bindings().get(i);
                double share = (double) (b.measuredGuaranteedNs() + b.measuredExtraNs()) / measured;
                double want = (double) tx[i][1] / tx[i][0];
                assertEquals(want, share, want * 0.01, "rate " + rate + " s" + i + " (results)");
                assertEquals(0, b.measuredExtraNs());
                long frames = 0;
                for (int k = 0; k < h.atPeer.size(); k++) {
                    if (DriverHarness.srcPort(h.atPeer.get(k)) == 7000 + i && h.atPeerNs.get(k) > 200 * MS
                            && h.atPeerNs.get(k) <= end) {
                        frames++;
                    }
                }
                double wire = (double) frames * frame / measured;
                assertEquals(want, wire, want * 0.01 + (double) frame / measured,
                        "rate " + rate + " s" + i + " (frames on the wire)");
            }
        }
    }
}

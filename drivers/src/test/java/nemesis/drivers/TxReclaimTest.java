package nemesis.drivers;

import static nemesis.drivers.DriverHarness.HOST_IP;
import static nemesis.drivers.DriverHarness.HOST_MAC;
import static nemesis.drivers.DriverHarness.MS;
import static nemesis.drivers.DriverHarness.PEER_IP;
import static nemesis.drivers.DriverHarness.PEER_MAC;
import static nemesis.drivers.DriverHarness.US;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nemesis.atropos.Qos;
import nemesis.drivers.sim.Faults;
import nemesis.kernel.Kernel;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

/** The transmit-buffer reclaim when a client has more buffers than its return FIFO holds. */
class TxReclaimTest {
    /**
     * 60 two-record buffers need 180 return-FIFO slots of 128: the driver must skip the channel
     * while the client has not taken sent buffers back. When the client takes them back (here
     * once, after its burst), the frames still queued must go without waiting for another put.
     */
    @Test
    void aSuspendedChannelGoesOnWhenTheClientTakesBuffersBack() {
        for (String machine : new String[] {"ideal", "p200-de4x5"}) {
            DriverHarness h = new DriverHarness(10_000_000L, 31, machine, Faults.NONE);
            int frames = 100;
            h.kernel.createDomain("c", "test", Qos.of(10 * MS, 2 * MS, true), ctx -> {
                while (h.driver.domain() == null) {
                    ctx.sleepUntil(ctx.nowNs() + 10 * US);
                }
                ClientChannels ch = ClientChannels.open(ctx, h.driver.domain(), "c", 8, 60);
                ClientBinding b = h.driver.addClient(ctx, ch.rxChannel().slave(), ch.txChannel().slave(),
                        Qos.of(10 * MS, 5 * MS, true));
                h.driver.setTemplate(b, TransmitFilter.Template.ipv4(HOST_MAC, Ipv4Packet.PROTO_UDP, HOST_IP, 5000));
                for (int i = 0; i < frames; i++) {
                    int buf = ch.allocate(Kernel.NEVER);
                    int hdr = DriverHarness.udpFrame(ch.txMemory(), ch.txHeaderOffset(buf), HOST_MAC, PEER_MAC,
                            HOST_IP, PEER_IP, 5000, 9, 0, i);
                    ch.send(buf, hdr, 1000, Kernel.NEVER);
                }
                ctx.sleepUntil(ctx.nowNs() + 100 * MS);
                ch.reclaim(0);
                ctx.sleepUntil(Kernel.NEVER);
            }, 10 * US);
            h.kernel.run(500 * MS, 0);
            assertTrue(h.driver.counters().get(DriverCounters.Reason.TX_SUSPENDED) > 0, machine + ": suspended");
            assertEquals(frames, h.atPeer.size(), machine + ": every frame reached the wire");
        }
    }
}

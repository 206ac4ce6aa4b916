package nemesis.drivers;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.Frame;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.VirtualClock;
import nemesis.wire.BigEndian;
import nemesis.wire.Checksum;
import nemesis.wire.EthernetFrame;
import nemesis.wire.Ipv4Packet;

/** A driver domain on a simulated link, with a peer at the far end that records what arrives. */
final class DriverHarness {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long HOST_MAC = 0x02_00_00_00_00_01L;
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int HOST_IP = 0xC0_00_02_01; // 192.0.2.1
    static final int PEER_IP = 0xC0_00_02_02; // 192.0.2.2

    final Kernel kernel;
    final FramePool pool = new FramePool(4096);
    final EthernetLink link;
    final SimNic nic;
    final NetworkDriver driver;
    final Domain driverDomain;
    final List<byte[]> atPeer = new ArrayList<>();
    final List<Long> atPeerNs = new ArrayList<>();

    DriverHarness(long rateBps, int descriptors, String machine, Faults faults) {
        kernel = new Kernel(new VirtualClock(), MachineProfile.load(machine));
        link = new EthernetLink("test", LinkConfig.ethernet(rateBps, 1 * US).withFaults(faults), 1, kernel::at, pool);
        nic = new SimNic("nic0", HOST_MAC, 1500, descriptors, 64, link, End.A, kernel);
        link.attach(End.B, (f, t) -> {
            atPeer.add(java.util.Arrays.copyOf(f.bytes(), f.length()));
            atPeerNs.add(t);
            f.release();
        });
        driver = new NetworkDriver("driver", nic, rateBps, HOST_IP, 1_000_000_000L);
        driverDomain = kernel.createDomain("driver", "driver", new Qos(10 * MS, 1 * MS, 10 * MS, true), driver, 0);
    }

    /** The peer sends {@code frame} at {@code atNs}. */
    void peerSends(byte[] frame, long atNs) {
        kernel.at(atNs, () -> {
            Frame f = pool.allocate();
            f.copyFrom(frame, 0, frame.length);
            link.send(End.B, f, kernel.clock().nowNs());
        });
    }

    /** Writes an Ethernet/IPv4/UDP frame with valid checksums at {@code off}; returns its length. */
    static int udpFrame(MemorySegment m, long off, long srcMac, long dstMac, int srcIp, int dstIp, int sport,
                        int dport, int payload, int seq) {
        EthernetFrame e = new EthernetFrame().wrap(m, off, 14);
        e.dst(dstMac).src(srcMac).etherType(EthernetFrame.ETHERTYPE_IPV4);
        int total = 20 + 8 + payload;
        Ipv4Packet ip = new Ipv4Packet().wrap(m, off + 14, 20);
        BigEndian.u8(m, off + 14, 0x45);
        BigEndian.u8(m, off + 15, 0);
        ip.totalLength(total).identification(seq & 0xFFFF).flagsAndFragmentOffset(Ipv4Packet.FLAG_DF).ttl(64)
                .protocol(Ipv4Packet.PROTO_UDP).src(srcIp).dst(dstIp).fillChecksum();
        long u = off + 34;
        BigEndian.u16(m, u, sport);
        BigEndian.u16(m, u + 2, dport);
        BigEndian.u16(m, u + 4, 8 + payload);
        BigEndian.u16(m, u + 6, 0);
        for (int i = 0; i < payload; i++) {
            m.set(java.lang.foreign.ValueLayout.JAVA_BYTE, u + 8 + i, (byte) (seq + i));
        }
        int sum = Checksum.compute(m, u, 8 + payload, Checksum.pseudoHeaderSum(srcIp, dstIp, 17, 8 + payload));
        BigEndian.u16(m, u + 6, sum == 0 ? 0xFFFF : sum);
        return 14 + total;
    }

    static byte[] udpFrame(long srcMac, long dstMac, int srcIp, int dstIp, int sport, int dport, int payload, int seq) {
        byte[] b = new byte[14 + 28 + payload];
        udpFrame(MemorySegment.ofArray(b), 0, srcMac, dstMac, srcIp, dstIp, sport, dport, payload, seq);
        return b;
    }

    static int srcPort(byte[] frame) {
        return (frame[34] & 0xFF) << 8 | frame[35] & 0xFF;
    }

    static int dstPort(byte[] frame) {
        return (frame[36] & 0xFF) << 8 | frame[37] & 0xFF;
    }
}

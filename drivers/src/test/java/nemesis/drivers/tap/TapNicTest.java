package nemesis.drivers.tap;

import static nemesis.drivers.tap.TapFixture.HOST_IP;
import static nemesis.drivers.tap.TapFixture.HOST_IP_TEXT;
import static nemesis.drivers.tap.TapFixture.HOST_MAC;
import static nemesis.drivers.tap.TapFixture.LINUX_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import nemesis.atropos.Qos;
import nemesis.drivers.ClientBinding;
import nemesis.drivers.ClientChannels;
import nemesis.drivers.DriverCounters;
import nemesis.drivers.NetworkDriver;
import nemesis.drivers.TransmitFilter;
import nemesis.drivers.pcap.PcapReader;
import nemesis.drivers.pcap.PcapWriter;
import nemesis.drivers.pcap.Tshark;
import nemesis.drivers.sim.Capture;
import nemesis.drivers.sim.End;
import nemesis.drivers.sim.EthernetLink;
import nemesis.drivers.sim.Faults;
import nemesis.drivers.sim.Frame;
import nemesis.drivers.sim.FramePool;
import nemesis.drivers.sim.LinkConfig;
import nemesis.drivers.sim.LinkEvent;
import nemesis.drivers.sim.ManualTimeline;
import nemesis.kernel.Domain;
import nemesis.kernel.DomainContext;
import nemesis.kernel.EventCount;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.Program;
import nemesis.kernel.RealClock;
import nemesis.wire.BigEndian;
import nemesis.wire.Ipv4Packet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TAP card against a real Linux kernel in a network namespace of its own (root and
 * /dev/net/tun needed; skipped otherwise). Each test runs a real-clock kernel for about a second
 * with one domain driving the card through the {@code Nic} API (the last one through the real
 * driver domain). Timing checks are one-sided ("never early") or on computed times: the machine
 * is shared and noisy.
 */
class TapNicTest {
    static final long MS = 1_000_000L;
    static final int ICMP_IDENT = 0x4E4D;

    @BeforeEach
    void needRoot() {
        TapFixture.assumeAvailable();
    }

    /** What a domain saw of the card: frames received, transmit completions. */
    static final class Seen {
        final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
        final List<Long> receivedAtNs = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> doneTokens = new ArrayList<>();
        final List<Long> doneComputedNs = new ArrayList<>();
        final List<Long> doneObservedNs = new ArrayList<>();

        synchronized long count(Predicate<byte[]> p) {
            return received.stream().filter(p).count();
        }

        synchronized byte[] first(Predicate<byte[]> p) {
            return received.stream().filter(p).findFirst().orElse(null);
        }
    }

    /** A card on a fixture, a real-clock kernel, and helpers for the one domain that drives it. */
    static final class Rig implements AutoCloseable {
        final TapFixture fx;
        final Kernel kernel;
        final TapNic nic;
        final Seen seen = new Seen();
        Domain domain;
        /** The domain starts the card itself (its reader and writer threads). */
        boolean startLater;
        EventCount irq;
        long irqSeen;

        Rig(TapFixture fx, String name, long rateBps, int descriptors, Faults faults, long seed, Capture capture) {
            this.fx = fx;
            try {
                this.kernel = new Kernel(new RealClock(), MachineProfile.load("ideal"));
                this.nic = new TapNic(name, fx.tap, HOST_MAC, 1500, descriptors, 64, kernel, rateBps,
                        LinkConfig.ETHERNET_OVERHEAD_BYTES, faults, seed, capture);
            } catch (RuntimeException | Error e) {
                fx.close(); // the rig never existed: nobody else will
                throw e;
            }
        }

        /** Runs {@code body} as the only domain for {@code durationMs} of real time. */
        void run(long durationMs, Program body) {
            domain = kernel.createDomain("drv", "tap-test", Qos.of(10 * MS, 5 * MS, true), ctx -> {
                irq = ctx.newEventCount("irq");
                nic.attach(irq);
                body.run(ctx);
            }, 0);
            if (!startLater) {
                nic.start();
            }
            kernel.run(durationMs * MS, 0);
            nic.close();
            assertNull(domain.error(), "the test domain failed");
        }

        /** Hands a copy of {@code frame} to the card as {@code token}. */
        void send(byte[] frame, int token) {
            Frame f = nic.allocateTx();
            assertNotNull(f, "card out of frames");
            f.copyFrom(frame, 0, frame.length);
            nic.transmit(f, token);
        }

        /** Takes interrupts until {@code done} holds or {@code untilNs}; records what arrives. */
        void pump(DomainContext ctx, long untilNs, java.util.function.BooleanSupplier done) {
            while (!done.getAsBoolean() && ctx.nowNs() < untilNs) {
                irq.await(irqSeen + 1, untilNs);
                irqSeen = irq.read();
                int t;
                while ((t = nic.pollTxDone()) >= 0) {
                    seen.doneTokens.add(t);
                    seen.doneComputedNs.add(nic.lastTxDoneNs());
                    seen.doneObservedNs.add(ctx.nowNs());
                }
                Frame f;
                while ((f = nic.pollReceived()) != null) {
                    seen.received.add(java.util.Arrays.copyOf(f.bytes(), f.length()));
                    seen.receivedAtNs.add(ctx.nowNs());
                    f.release();
                }
            }
        }

        @Override
        public void close() {
            try {
                nic.close();
            } finally {
                fx.close();
            }
        }
    }

    /** A capture kept in memory: (time, direction, bytes). */
    record Captured(long tNs, End from, byte[] data) {
    }

    static Capture inMemory(List<Captured> into) {
        return (t, from, f) -> into.add(new Captured(t, from, java.util.Arrays.copyOf(f.bytes(), f.length())));
    }

    static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    static byte[] frame(int capacity, java.util.function.ToIntFunction<MemorySegment> build) {
        byte[] b = new byte[capacity];
        int len = build.applyAsInt(seg(b));
        return java.util.Arrays.copyOf(b, len);
    }

    static boolean isArpReplyFromLinux(byte[] b) {
        return TapFrames.isArpReply(seg(b), b.length) && TapFrames.arpSenderIp(seg(b)) == LINUX_IP;
    }

    static boolean isIcmp(byte[] b, int type) {
        return TapFrames.isIpv4(seg(b), b.length) && TapFrames.ipProtocol(seg(b)) == Ipv4Packet.PROTO_ICMP
                && BigEndian.u8(seg(b), 34) == type;
    }

    // ------------------------------------------------------------------------------------------

    /**
     * ARP request out, Linux's reply in with the TAP's MAC; then an ICMP echo request built by hand
     * gets its reply, intact. Line rate 0 (as fast as the TAP takes frames). The pcap of it opens in
     * tshark: ARP request and reply, echo request and reply, in time order.
     */
    @Test
    void arpAndPingGetLinuxsReplies(@TempDir Path dir) throws Exception {
        Path pcapFile = dir.resolve("tap.pcap");
        PcapWriter pcap = PcapWriter.create(pcapFile);
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 0, 31, Faults.NONE, 1, Capture.pcap(pcap))) {
            long linuxMac = rig.fx.linuxMac;
            byte[] arp = frame(64, m -> TapFrames.arpRequest(m, HOST_MAC, HOST_IP, LINUX_IP));
            byte[] echo = frame(200, m -> TapFrames.icmpEcho(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, ICMP_IDENT, 1,
                    56));
            long[] times = new long[4];
            rig.run(1000, ctx -> {
                times[0] = ctx.nowNs();
                rig.send(arp, 0);
                rig.pump(ctx, ctx.nowNs() + 500 * MS, () -> rig.seen.count(TapNicTest::isArpReplyFromLinux) > 0);
                times[1] = ctx.nowNs();
                rig.send(echo, 1);
                times[2] = ctx.nowNs();
                rig.pump(ctx, ctx.nowNs() + 500 * MS, () -> rig.seen.count(b -> isIcmp(b, 0)) > 0);
                times[3] = ctx.nowNs();
                rig.pump(ctx, ctx.nowNs() + 200 * MS, () -> rig.seen.doneTokens.size() >= 2);
            });
            Map<String, Object> fig = rig.nic.figures();
            pcap.close();

            byte[] reply = rig.seen.first(TapNicTest::isArpReplyFromLinux);
            assertNotNull(reply, "Linux answered the ARP request: " + fig);
            assertEquals(linuxMac, TapFrames.arpSenderMac(seg(reply)), "the reply carries the TAP's MAC");
            assertEquals(HOST_MAC, BigEndian.u48(seg(reply), 0), "sent to us");

            byte[] pong = rig.seen.first(b -> isIcmp(b, 0));
            assertNotNull(pong, "Linux answered the echo request: " + fig);
            MemorySegment p = seg(pong);
            assertTrue(TapFrames.checksumsValid(p, pong.length));
            assertEquals(LINUX_IP, BigEndian.i32(p, 26));
            assertEquals(HOST_IP, BigEndian.i32(p, 30));
            assertEquals(ICMP_IDENT, BigEndian.u16(p, 38));
            assertEquals(1, BigEndian.u16(p, 40));
            assertArrayEquals(java.util.Arrays.copyOfRange(echo, 42, echo.length),
                    java.util.Arrays.copyOfRange(pong, 42, pong.length), "the data comes back");
            assertEquals(List.of(0, 1), rig.seen.doneTokens.subList(0, 2), "both descriptors completed");
            System.out.printf("TapNicTest: ARP reply after %.2f ms, echo reply after %.2f ms (real time)%n",
                    (times[1] - times[0]) / 1e6, (times[3] - times[2]) / 1e6);
            List<byte[]> others = rig.seen.received.stream()
                    .filter(b -> !isArpReplyFromLinux(b) && !isIcmp(b, 0)).toList();
            System.out.println("TapNicTest: Linux also sent " + others.size() + " unsolicited frame(s)"
                    + (others.isEmpty() ? "" : ", first ethertype 0x" + Integer.toHexString(BigEndian.u16(seg(others.get(0)), 12))));

            PcapReader.Capture cap = PcapReader.read(pcapFile);
            assertTrue(cap.records().size() >= 4, "4 frames captured: " + cap.records().size());
            long last = Long.MIN_VALUE;
            for (PcapReader.Record r : cap.records()) {
                assertTrue(r.timestampNs() >= last, "capture in time order");
                last = r.timestampNs();
            }
            Tshark.assumeAvailable();
            List<String> lines = Tshark.run("-r", pcapFile.toString(), "-T", "fields", "-e", "_ws.col.Protocol",
                    "-e", "_ws.col.Info");
            List<String> ours = lines.stream().filter(l -> l.startsWith("ARP") || l.contains("Echo")).toList();
            assertEquals(4, ours.size(), String.join("\n", lines));
            assertTrue(ours.get(0).contains("Who has " + TapFixture.LINUX_IP_TEXT), ours.get(0));
            assertTrue(ours.get(1).contains(TapFixture.LINUX_IP_TEXT + " is at"), ours.get(1));
            assertTrue(ours.get(2).contains("Echo (ping) request"), ours.get(2));
            assertTrue(ours.get(3).contains("Echo (ping) reply"), ours.get(3));
            assertTrue(Tshark.run("-r", pcapFile.toString(), "-Y",
                    "ip.checksum.status==\"Bad\" || icmp.checksum.status==\"Bad\" || _ws.malformed"
                    + " || _ws.expert.severity >= \"error\"")
                    .isEmpty(), "nothing malformed");
        }
    }

    /**
     * At 10 Mb/s each descriptor completes exactly at start + (1514 + 24) * 8 / 10 Mb/s, frames back
     * to back: computed times, exact. Never before that in real time, and no frame is written to
     * the TAP before its start.
     */
    @Test
    void transmitIsPacedAtTheLineRate() throws Exception {
        List<Captured> cap = Collections.synchronizedList(new ArrayList<>());
        int n = 10;
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 10_000_000L, 31, Faults.NONE, 1, inMemory(cap))) {
            long linuxMac = rig.fx.linuxMac;
            long before = rig.fx.linuxStat("rx_packets");
            byte[][] frames = new byte[n][];
            for (int i = 0; i < n; i++) {
                int id = i;
                frames[i] = frame(1514, m -> TapFrames.udp(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, 40000, 9,
                        1514 - 42, id));
            }
            long[] handedAt = new long[n + 1];
            rig.run(400, ctx -> {
                for (int i = 0; i < n; i++) {
                    handedAt[i] = rig.kernel.clock().nowNs();
                    rig.send(frames[i], i);
                }
                handedAt[n] = rig.kernel.clock().nowNs();
                rig.pump(ctx, ctx.nowNs() + 300 * MS, () -> rig.seen.doneTokens.size() == n);
            });
            long wire = rig.nic.wireTimeNs(1514);
            assertEquals((1514 + 24) * 8 * 100L, wire, "1.2304 ms at 10 Mb/s");
            assertEquals(n, rig.seen.doneTokens.size(), "all completed: " + rig.nic.figures());
            long firstStart = rig.seen.doneComputedNs.get(0) - wire;
            assertTrue(firstStart >= handedAt[0] && firstStart <= handedAt[1], "the first starts when handed over");
            for (int i = 0; i < n; i++) {
                assertEquals(i, rig.seen.doneTokens.get(i));
                long done = rig.seen.doneComputedNs.get(i);
                if (i > 0) {
                    assertTrue(handedAt[i + 1] < rig.seen.doneComputedNs.get(i - 1), "handed over while the line was busy");
                    assertEquals(rig.seen.doneComputedNs.get(i - 1) + wire, done, "back to back: frame " + i);
                }
                assertTrue(rig.seen.doneObservedNs.get(i) >= done, "never completes early: frame " + i);
            }
            List<Captured> out = cap.stream().filter(c -> c.from() == End.A).toList();
            assertEquals(n, out.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, TapFrames.ipId(seg(out.get(i).data())), "written in order");
                long start = rig.seen.doneComputedNs.get(i) - wire;
                assertTrue(out.get(i).tNs() >= start, "not written before its start: frame " + i);
            }
            Map<String, Object> fig = rig.nic.figures();
            assertEquals((long) n * wire, fig.get("tx_line_time_ns"));
            assertEquals((long) n, fig.get("tx_written_frames"));
            assertEquals(before + n, rig.fx.linuxStat("rx_packets"), "Linux received them all");
            System.out.printf("TapNicTest: at 10 Mb/s, writes late by %.0f us and completions seen late by %.0f us"
                    + " on average (real time, informative)%n",
                    java.util.stream.IntStream.range(0, n).mapToLong(i -> out.get(i).tNs()
                            - (rig.seen.doneComputedNs.get(i) - wire)).average().orElse(0) / 1e3,
                    java.util.stream.IntStream.range(0, n).mapToLong(i -> rig.seen.doneObservedNs.get(i)
                            - rig.seen.doneComputedNs.get(i)).average().orElse(0) / 1e3);
        }
    }

    /**
     * Receive is paced too: ten 1514-byte echo requests that Linux sends back to back (ping's
     * preload) come off the TAP one line time apart at 10 Mb/s, and none reaches the domain
     * before its line time has passed.
     */
    @Test
    void receiveIsPacedAtTheLineRate() throws Exception {
        List<Captured> cap = Collections.synchronizedList(new ArrayList<>());
        int n = 10;
        try (Rig rig = new Rig(TapFixture.create(0), "tap-rx", 10_000_000L, 31, Faults.NONE, 1, inMemory(cap))) {
            rig.fx.staticNeighbour();
            Process ping = rig.fx.spawn("ping", "-n", "-c", Integer.toString(n), "-l", Integer.toString(n),
                    "-s", "1472", "-W", "1", HOST_IP_TEXT);
            try {
                rig.run(600, ctx -> rig.pump(ctx, ctx.nowNs() + 550 * MS,
                        () -> rig.seen.count(b -> isIcmp(b, 8)) == n));
            } finally {
                ping.destroy();
                ping.waitFor(2, TimeUnit.SECONDS);
            }
            long wire = rig.nic.wireTimeNs(1514);
            List<Captured> in = cap.stream().filter(c -> c.from() == End.B && isIcmp(c.data(), 8)).toList();
            assertEquals(n, in.size(), "all taken off the TAP: " + rig.nic.figures());
            for (int k = 1; k < n; k++) {
                assertTrue(in.get(k).tNs() - in.get(k - 1).tNs() >= wire,
                        "request " + k + " taken " + (in.get(k).tNs() - in.get(k - 1).tNs()) + " ns after the one before");
            }
            List<Long> seenAt = new ArrayList<>();
            synchronized (rig.seen) {
                for (int k = 0; k < rig.seen.received.size(); k++) {
                    if (isIcmp(rig.seen.received.get(k), 8)) {
                        seenAt.add(rig.seen.receivedAtNs.get(k));
                    }
                }
            }
            assertEquals(n, seenAt.size());
            for (int k = 0; k < n; k++) {
                assertTrue(seenAt.get(k) >= in.get(k).tNs() + wire, "request " + k + " delivered before its line time passed");
            }
            long lineTime = cap.stream().filter(c -> c.from() == End.B).mapToLong(c -> rig.nic.wireTimeNs(c.data().length)).sum();
            assertEquals(lineTime, rig.nic.figures().get("rx_line_time_ns"), "every frame in is charged its line time");
        }
    }

    /** Loss 1.0 both ways: nothing reaches Linux, nothing Linux sends reaches the domain. */
    @Test
    void withLossOneNothingGetsThroughEitherWay() throws Exception {
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 0, 31, new Faults(1, 0, 0, 0), 1, null)) {
            long linuxMac = rig.fx.linuxMac;
            rig.fx.staticNeighbour();
            long before = rig.fx.linuxStat("rx_packets");
            byte[] arp = frame(64, m -> TapFrames.arpRequest(m, HOST_MAC, HOST_IP, LINUX_IP));
            byte[] echo = frame(200, m -> TapFrames.icmpEcho(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, ICMP_IDENT, 1,
                    56));
            Process ping = rig.fx.spawn("ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", HOST_IP_TEXT);
            try {
                rig.run(900, ctx -> {
                    for (int i = 0; i < 3; i++) {
                        rig.send(arp, 2 * i);
                        rig.send(echo, 2 * i + 1);
                        rig.pump(ctx, ctx.nowNs() + 100 * MS, () -> false);
                    }
                    rig.pump(ctx, ctx.nowNs() + 500 * MS, () -> false);
                });
            } finally {
                ping.destroy();
                ping.waitFor(2, TimeUnit.SECONDS);
            }
            Map<String, Object> fig = rig.nic.figures();
            assertEquals(List.of(), rig.seen.received.stream().map(b -> b.length).toList(), "nothing delivered: " + fig);
            assertEquals(6L, fig.get("tx_frames"));
            assertEquals(6L, fig.get("tx_lost"));
            assertEquals(0L, fig.get("tx_written_frames"));
            assertEquals(6, rig.seen.doneTokens.size(), "lost frames still complete: they took the line");
            assertEquals(before, rig.fx.linuxStat("rx_packets"), "Linux received nothing");
            long rx = (Long) fig.get("rx_frames");
            assertTrue(rx >= 3, "Linux sent its echo requests: " + fig);
            assertEquals(rx, fig.get("rx_lost"));
            assertEquals(0L, fig.get("rx_delivered"));
        }
    }

    /**
     * Corruption 1.0 both ways: the ARP request is dropped (as the CRC would), the echo requests
     * arrive corrupted and Linux answers none of them; what Linux sends arrives with bad checksums.
     */
    @Test
    void withCorruptionOneLinuxAnswersNothingAndChecksumsCatchEverything() throws Exception {
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 0, 31, new Faults(0, 0, 0, 1), 7, null)) {
            long linuxMac = rig.fx.linuxMac;
            rig.fx.staticNeighbour();
            long before = rig.fx.linuxStat("rx_packets");
            long repliesBefore = rig.fx.snmp("Icmp", "OutEchoReps");
            byte[] arp = frame(64, m -> TapFrames.arpRequest(m, HOST_MAC, HOST_IP, LINUX_IP));
            byte[][] echo = new byte[3][];
            for (int i = 0; i < 3; i++) {
                int seq = i + 1;
                echo[i] = frame(200, m -> TapFrames.icmpEcho(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, ICMP_IDENT, seq,
                        56));
            }
            Process ping = rig.fx.spawn("ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", HOST_IP_TEXT);
            try {
                rig.run(900, ctx -> {
                    rig.send(arp, 0);
                    for (int i = 0; i < 3; i++) {
                        rig.send(echo[i], i + 1);
                        rig.pump(ctx, ctx.nowNs() + 100 * MS, () -> false);
                    }
                    rig.pump(ctx, ctx.nowNs() + 500 * MS, () -> false);
                });
            } finally {
                ping.destroy();
                ping.waitFor(2, TimeUnit.SECONDS);
            }
            Map<String, Object> fig = rig.nic.figures();
            assertEquals(1L, fig.get("tx_corrupt_arp_dropped"), fig.toString());
            assertEquals(3L, fig.get("tx_corrupted"));
            assertEquals(3L, fig.get("tx_written_frames"));
            assertEquals(before + 3, rig.fx.linuxStat("rx_packets"), "the three echo requests reached Linux");
            assertEquals(repliesBefore, rig.fx.snmp("Icmp", "OutEchoReps"), "Linux answered none");
            assertEquals(0, rig.seen.count(TapNicTest::isArpReplyFromLinux));
            assertEquals(0, rig.seen.count(b -> isIcmp(b, 0)));
            List<byte[]> ip = rig.seen.received.stream().filter(b -> TapFrames.isIpv4(seg(b), b.length)).toList();
            assertTrue(ip.size() >= 3, "Linux's echo requests arrived: " + fig);
            for (byte[] b : ip) {
                assertFalse(TapFrames.checksumsValid(seg(b), b.length), "every corrupted frame fails a checksum");
            }
            assertEquals((long) ip.size(), fig.get("rx_corrupted"));
            System.out.println("TapNicTest: Linux's drop counters after corrupted frames: Ip InHdrErrors "
                    + rig.fx.snmp("Ip", "InHdrErrors") + ", Icmp InCsumErrors " + rig.fx.snmp("Icmp", "InCsumErrors"));
        }
    }

    /**
     * Loss, duplication and reordering out at 10 Mb/s: what is written to the TAP is exactly what
     * the seeded decisions say, and they are the decisions the simulated link of the same name and
     * seed makes at its end A (so the sequence repeats for a seed). Reordered frames go right after
     * the next frame; duplicates right after the original.
     */
    @Test
    void faultDecisionsFollowTheSeedAsOnTheSimulatedLink() throws Exception {
        int n = 40;
        long seed = 11;
        Faults faults = new Faults(0.25, 0.25, 0.25, 0);
        List<Captured> cap = Collections.synchronizedList(new ArrayList<>());
        List<Integer> expected = expectedOrder("faulty", seed, faults, n);
        try (Rig rig = new Rig(TapFixture.create(0), "faulty", 10_000_000L, 64, faults, seed, inMemory(cap))) {
            long linuxMac = rig.fx.linuxMac;
            long before = rig.fx.linuxStat("rx_packets");
            byte[][] frames = new byte[n][];
            for (int i = 0; i < n; i++) {
                int id = i;
                frames[i] = frame(200, m -> TapFrames.udp(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, 40000, 9, 100, id));
            }
            // Every frame is handed over before the writer starts: a reordered frame then always
            // has its successor to wait for, however slow this machine is (no hold times out).
            rig.startLater = true;
            rig.run(500, ctx -> {
                for (int i = 0; i < n; i++) {
                    rig.send(frames[i], i);
                }
                rig.nic.start();
                rig.pump(ctx, ctx.nowNs() + 300 * MS, () -> rig.seen.doneTokens.size() == n);
            });
            List<Integer> written = cap.stream().filter(c -> c.from() == End.A)
                    .map(c -> TapFrames.ipId(seg(c.data()))).toList();
            assertEquals(expected, written, "written as decided: " + rig.nic.figures());
            assertNotEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), written, "faults happened");
            assertEquals(before + expected.size(), rig.fx.linuxStat("rx_packets"));
            assertEquals(n, rig.seen.doneTokens.size());
        }
    }

    /**
     * The simulated link's fault decisions for {@code n} frames from {@code from}, for a link of
     * this name, seed and faults: [lost, duplicated, reordered][frame].
     */
    static boolean[][] decisions(String name, long seed, Faults faults, int n, End from) {
        ManualTimeline tl = new ManualTimeline();
        FramePool pool = new FramePool(4 * n);
        EthernetLink link = new EthernetLink(name, LinkConfig.ethernet(10_000_000L, 0).withFaults(faults), seed, tl,
                pool);
        boolean[][] d = new boolean[3][n];
        link.listener((t, end, no, e, detail) -> {
            if (end == from) {
                if (e == LinkEvent.LOSS) {
                    d[0][(int) no] = true;
                } else if (e == LinkEvent.DUPLICATE) {
                    d[1][(int) no] = true;
                } else if (e == LinkEvent.REORDER) {
                    d[2][(int) no] = true;
                }
            }
        });
        link.attach(End.A, (f, t) -> f.release());
        link.attach(End.B, (f, t) -> f.release());
        for (int i = 0; i < n; i++) {
            Frame f = pool.allocate();
            f.length(100);
            link.send(from, f, 0);
        }
        tl.runAll();
        return d;
    }

    /** The order the TAP card writes {@code n} back-to-back frames in, from the simulated link's decisions. */
    static List<Integer> expectedOrder(String name, long seed, Faults faults, int n) {
        boolean[][] d = decisions(name, seed, faults, n, End.A);
        boolean[] lost = d[0];
        boolean[] dup = d[1];
        boolean[] reorder = d[2];
        List<Integer> out = new ArrayList<>();
        List<Integer> held = null;
        for (int i = 0; i < n; i++) {
            if (lost[i]) {
                continue;
            }
            List<Integer> copies = dup[i] ? List.of(i, i) : List.of(i);
            if (reorder[i]) {
                if (held != null) {
                    out.addAll(held);
                }
                held = copies;
            } else {
                out.addAll(copies);
                if (held != null) {
                    out.addAll(held);
                    held = null;
                }
            }
        }
        if (held != null) {
            out.addAll(held);
        }
        return out;
    }

    /**
     * Duplication and reordering in: every echo request Linux sends arrives, twice when the seeded
     * decision says so (the simulated link's decisions at end B for the same name and seed), intact.
     */
    @Test
    void inboundDuplicatesAndReorderingKeepEveryFrameIntact() throws Exception {
        int n = 20;
        long seed = 5;
        Faults faults = new Faults(0, 0.3, 0.3, 0);
        boolean[][] d = decisions("faulty-in", seed, faults, n, End.B);
        try (Rig rig = new Rig(TapFixture.create(0), "faulty-in", 0, 31, faults, seed, null)) {
            rig.fx.staticNeighbour();
            Process ping = rig.fx.spawn("ping", "-n", "-c", Integer.toString(n), "-i", "0.005", "-W", "1",
                    HOST_IP_TEXT);
            try {
                rig.run(700, ctx -> rig.pump(ctx, ctx.nowNs() + 650 * MS, () -> false));
            } finally {
                ping.destroy();
                ping.waitFor(2, TimeUnit.SECONDS);
            }
            Map<String, Object> fig = rig.nic.figures();
            List<byte[]> echoes = rig.seen.received.stream().filter(b -> isIcmp(b, 8)).toList();
            int[] copies = new int[n + 1];
            List<Integer> order = new ArrayList<>();
            for (byte[] b : echoes) {
                assertTrue(TapFrames.checksumsValid(seg(b), b.length), "intact");
                int seq = BigEndian.u16(seg(b), 40);
                copies[seq]++;
                order.add(seq);
            }
            long dups = 0;
            long reorders = 0;
            for (int k = 0; k < n; k++) {
                assertEquals(d[1][k] ? 2 : 1, copies[k + 1], "echo request " + (k + 1) + " arrived " + copies[k + 1]
                        + " times: " + order + " " + fig);
                dups += d[1][k] ? 1 : 0;
                reorders += d[2][k] ? 1 : 0;
            }
            assertEquals(dups, fig.get("rx_duplicated"));
            assertEquals(reorders, fig.get("rx_reordered"));
            System.out.println("TapNicTest: inbound order with duplication and reordering: " + order);
        }
    }

    /**
     * Frames longer than {@link Frame#CAPACITY} are dropped and counted, both those that fit the
     * reader's buffer and those the kernel cut short; a normal one behind them arrives.
     */
    @Test
    void oversizeFramesAreDroppedAndCounted() throws Exception {
        try (Rig rig = new Rig(TapFixture.create(4000), "tap0", 0, 31, Faults.NONE, 1, null)) {
            rig.fx.staticNeighbour();
            List<Process> pings = new ArrayList<>();
            try {
                for (String size : new String[] {"1600", "3000"}) {
                    pings.add(rig.fx.spawn("ping", "-n", "-c", "1", "-W", "1", "-s", size, HOST_IP_TEXT));
                }
                rig.run(700, ctx -> {
                    rig.pump(ctx, ctx.nowNs() + 300 * MS, () -> false);
                    try {
                        pings.add(rig.fx.spawn("ping", "-n", "-c", "1", "-W", "1", "-s", "56", HOST_IP_TEXT));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    rig.pump(ctx, ctx.nowNs() + 350 * MS, () -> rig.seen.count(b -> isIcmp(b, 8)) > 0);
                });
            } finally {
                for (Process p : pings) {
                    p.destroy();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
            }
            Map<String, Object> fig = rig.nic.figures();
            assertEquals(2L, fig.get("rx_oversize"), fig.toString());
            List<byte[]> echoes = rig.seen.received.stream().filter(b -> isIcmp(b, 8)).toList();
            assertEquals(1, echoes.size(), "only the small echo request arrived");
            assertEquals(98, echoes.get(0).length);
        }
    }

    /**
     * The real driver domain over the TAP card: a client's UDP datagrams, through its channels,
     * the transmit scheduler and filter, reach Linux (counted by its UDP stack as to a closed port);
     * Linux's ARP request for us comes back up through the driver.
     */
    @Test
    void theDriverDomainSendsThroughTheTapCard() throws Exception {
        int n = 20;
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 10_000_000L, 31, Faults.NONE, 1, null)) {
            long linuxMac = rig.fx.linuxMac;
            long noPortsBefore = rig.fx.snmp("Udp", "NoPorts");
            NetworkDriver driver = new NetworkDriver("driver", rig.nic, 10_000_000L, HOST_IP, 1_000_000_000L);
            rig.kernel.createDomain("driver", "driver", new Qos(10 * MS, 1 * MS, 10 * MS, true), driver, 0);
            int[] sent = new int[1];
            rig.kernel.createDomain("client", "test", Qos.of(10 * MS, 2 * MS, true), ctx -> {
                while (driver.domain() == null) {
                    ctx.sleepUntil(ctx.nowNs() + 100_000);
                }
                ClientChannels ch = ClientChannels.open(ctx, driver.domain(), "client", 8, 16);
                ClientBinding b = driver.addClient(ctx, ch.rxChannel().slave(), ch.txChannel().slave(),
                        Qos.of(10 * MS, 5 * MS, true));
                driver.setTemplate(b, TransmitFilter.Template.ipv4(HOST_MAC, Ipv4Packet.PROTO_UDP, HOST_IP, 5000));
                for (int i = 0; i < n; i++) {
                    int buf = ch.allocate(Kernel.NEVER);
                    MemorySegment m = ch.txMemory().asSlice(ch.txHeaderOffset(buf), ClientChannels.TX_HEADER);
                    int len = TapFrames.udp(m, HOST_MAC, linuxMac, HOST_IP, LINUX_IP, 5000, 9, 50, i);
                    ch.send(buf, len, 0, Kernel.NEVER);
                    sent[0]++;
                }
                ctx.sleepUntil(ctx.nowNs() + 100 * MS);
            }, 0);
            rig.nic.start();
            rig.kernel.run(400 * MS, 0);
            rig.nic.close();
            Map<String, Object> fig = rig.nic.figures();
            assertEquals(n, sent[0]);
            assertEquals((long) n, fig.get("tx_written_frames"), fig.toString());
            assertEquals(noPortsBefore + n, rig.fx.snmp("Udp", "NoPorts"), "Linux's UDP saw every datagram");
            // To answer with a port unreachable Linux must first ask who 198.51.100.1 is: the ARP
            // request comes up through the card and the driver's demultiplexer (no ARP client here).
            assertTrue(driver.counters().get(DriverCounters.Reason.RX_NO_ARP_CLIENT) >= 1,
                    "Linux's ARP request reached the driver: " + fig);
        }
    }

    /** Reading a counter map that must keep its order: the keys a results file would show. */
    @Test
    void figuresHaveAStableOrder() throws Exception {
        try (Rig rig = new Rig(TapFixture.create(0), "tap0", 10_000_000L, 31, Faults.NONE, 1, null)) {
            List<String> keys = new ArrayList<>(rig.nic.figures().keySet());
            assertEquals(keys, new ArrayList<>(rig.nic.figures().keySet()));
            assertEquals("device", keys.get(0));
            assertEquals(List.of("rate_bps", "overhead_bytes"), keys.subList(1, 3));
            assertEquals(10_000_000L, rig.nic.figures().get("rate_bps"));
        }
    }
}

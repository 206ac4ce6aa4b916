package nemesis.rbufs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.kernel.Domain;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.VirtualClock;
import org.junit.jupiter.api.Test;

class IoChannelTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    /** Two domains; the master opens a channel to the slave and both run their parts. */
    static Kernel twoDomains(IoChannel.Mode mode, int slots, Body masterBody, Body slaveBody) {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"));
        k.createDomain("slave", "test", Qos.of(10 * MS, 3 * MS, true), ctx -> {
            ctx.export("slave", ctx);
            IoChannel ch;
            while ((ch = ctx.lookup("channel", IoChannel.class)) == null) {
                ctx.sleepUntil(ctx.nowNs() + 100 * US);
            }
            slaveBody.run(ctx, ch.slave());
        }, 0);
        k.createDomain("master", "test", Qos.of(10 * MS, 3 * MS, true), ctx -> {
            DomainContext slave = ctx.lookup("slave", DomainContext.class);
            IoChannel ch = IoChannel.open("ch", mode, ctx, slave, slots, 64 * 1024);
            ctx.export("channel", ch);
            masterBody.run(ctx, ch.master());
        }, 1 * US);
        return k;
    }

    interface Body {
        void run(DomainContext ctx, IoEndpoint ep) throws Exception;
    }

    @Test
    void aPacketGoesOverAndComesBack() {
        List<String> log = new ArrayList<>();
        Kernel k = twoDomains(IoChannel.Mode.TX, 16, (ctx, ep) -> {
            AreaView v = ep.view();
            byte[] data = "hello, driver".getBytes();
            v.write(v.base() + 100, data, 0, data.length);
            IoRecs r = new IoRecs(4).add(v.base(), 40).add(v.base() + 100, data.length).value(77);
            assertTrue(ep.putPkt(r, Kernel.NEVER));
            IoRecs back = new IoRecs(4);
            assertTrue(ep.getPkt(back, Kernel.NEVER));
            log.add("master got back " + back.count() + " recs, value " + back.value());
            assertEquals(16, ep.queryPut(), "all slots free again");
        }, (ctx, ep) -> {
            IoRecs r = new IoRecs(4);
            assertTrue(ep.getPkt(r, Kernel.NEVER));
            assertTrue(ep.recordsInArea(r));
            byte[] got = new byte[r.len(1)];
            ep.view().read(r.base(1), got, 0, got.length);
            log.add("slave read '" + new String(got) + "'");
            assertTrue(ep.putPkt(r, Kernel.NEVER));
        });
        k.run(50 * MS, 0);
        assertEquals(List.of("slave read 'hello, driver'", "master got back 2 recs, value 77"), log);
    }

    @Test
    void rightsFollowTheMode() {
        List<String> log = new ArrayList<>();
        Kernel k = twoDomains(IoChannel.Mode.TX, 16, (ctx, ep) -> {
            AreaView v = ep.view();
            v.write(v.base(), new byte[] {1, 2, 3}, 0, 3);
            ep.putPkt(new IoRecs(1).add(v.base(), 3), Kernel.NEVER);
            ctx.sleepUntil(Kernel.NEVER);
        }, (ctx, ep) -> {
            IoRecs r = new IoRecs(1);
            ep.getPkt(r, Kernel.NEVER);
            AreaView v = ep.view();
            assertFalse(v.writable());
            AccessViolation e = assertThrows(AccessViolation.class,
                    () -> v.write(r.base(0), new byte[] {9, 9, 9}, 0, 3));
            log.add(e.getMessage());
            assertThrows(RuntimeException.class, () -> v.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9));
            byte[] after = new byte[3];
            v.read(r.base(0), after, 0, 3);
            assertArrayEquals(new byte[] {1, 2, 3}, after, "nothing changed");
            assertThrows(AccessViolation.class, () -> v.read(v.base() + 64 * 1024 - 1, new byte[2], 0, 2),
                    "past the end of the area");
            log.add("ok");
        });
        k.run(20 * MS, 0);
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(0).contains("read-only rights"), log.get(0));
    }

    @Test
    void receiveModeMakesTheMasterReadOnly() {
        java.util.Map<String, Boolean> writable = new java.util.TreeMap<>();
        Kernel k = twoDomains(IoChannel.Mode.RX, 16, (ctx, ep) -> {
            writable.put("master", ep.view().writable());
            ctx.sleepUntil(Kernel.NEVER);
        }, (ctx, ep) -> {
            writable.put("slave", ep.view().writable());
            ctx.sleepUntil(Kernel.NEVER);
        });
        k.run(5 * MS, 0);
        assertEquals(java.util.Map.of("master", false, "slave", true), writable, "slave writes, master reads");
    }

    @Test
    void aDomainWithoutAGrantHasNoView() {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("ideal"));
        List<String> log = new ArrayList<>();
        k.createDomain("a", "t", Qos.of(10 * MS, 1 * MS, false), ctx -> {
            ctx.export("a", ctx);
            ctx.sleepUntil(Kernel.NEVER);
        }, 0);
        k.createDomain("b", "t", Qos.of(10 * MS, 1 * MS, false), ctx -> {
            RbufArea area = RbufArea.allocate(ctx, "private", 4096);
            DomainContext a = ctx.lookup("a", DomainContext.class);
            log.add(assertThrows(AccessViolation.class, () -> area.view(a)).getMessage());
        }, 1);
        k.run(5 * MS, 0);
        assertTrue(log.get(0).contains("a has no rights"), log.toString());
    }

    @Test
    void aPacketOfNRecordsTakesNPlusOneSlotsAndAFullFifoBlocksThePutter() {
        List<String> log = new ArrayList<>();
        Kernel k = twoDomains(IoChannel.Mode.TX, 8, (ctx, ep) -> {
            long b = ep.view().base();
            IoRecs three = new IoRecs(3).add(b, 1).add(b + 1, 1).add(b + 2, 1);
            assertTrue(ep.putPkt(three, 0));
            assertEquals(4, ep.queryPut());
            assertTrue(ep.putPkt(three, 0));
            assertEquals(0, ep.queryPut());
            assertFalse(ep.putPkt(three, 0), "full: no waiting");
            long t0 = ctx.nowNs();
            assertFalse(ep.putPkt(three, t0 + 2 * MS), "still full when the timeout passes");
            long waited = ctx.nowNs() - t0;
            assertTrue(waited >= 2 * MS && waited <= 2 * MS + 10 * US, "woke at the timeout (+ activation): " + waited);
            log.add("timed out");
            ctx.export("go", Boolean.TRUE);
            assertTrue(ep.putPkt(three, Kernel.NEVER), "the slave took one: room again");
            log.add("put after the slave took one");
        }, (ctx, ep) -> {
            while (ctx.lookup("go", Boolean.class) == null) {
                ctx.sleepUntil(ctx.nowNs() + 1 * MS);
            }
            IoRecs small = new IoRecs(2);
            assertFalse(ep.getPkt(small, 0), "too small");
            assertEquals(3, small.count(), "says how many records it needs");
            assertTrue(ep.getPkt(new IoRecs(3), 0));
            log.add("slave took one");
            ctx.sleepUntil(Kernel.NEVER);
        });
        k.run(20 * MS, 0);
        assertEquals(List.of("timed out", "slave took one", "put after the slave took one"), log);
    }

    @Test
    void theConsumerLearnsOfAPacketWhenTheProducerIsDescheduled() {
        List<String> log = new ArrayList<>();
        Kernel k = twoDomains(IoChannel.Mode.TX, 16, (ctx, ep) -> {
            ep.putPkt(new IoRecs(1).add(ep.view().base(), 1), Kernel.NEVER);
            log.add("put at " + ctx.nowNs() / US + "us");
            ctx.consume(1 * MS);
            ctx.sleepUntil(Kernel.NEVER);
        }, (ctx, ep) -> {
            assertTrue(ep.getPkt(new IoRecs(1), Kernel.NEVER));
            log.add("got at " + ctx.nowNs() / US + "us");
        });
        k.run(20 * MS, 0);
        assertEquals(2, log.size(), log.toString());
        long put = Long.parseLong(log.get(0).replaceAll("\\D", ""));
        long got = Long.parseLong(log.get(1).replaceAll("\\D", ""));
        assertTrue(got >= put + 1000, "delivered only after the producer's 1 ms of work: " + log);
    }

    @Test
    void blockedGettersCostNothingWhileTheyWait() {
        Kernel k = twoDomains(IoChannel.Mode.TX, 16, (ctx, ep) -> {
            ctx.sleepUntil(50 * MS);
            ep.putPkt(new IoRecs(1).add(ep.view().base(), 1), Kernel.NEVER);
            ctx.sleepUntil(Kernel.NEVER);
        }, (ctx, ep) -> {
            long t0 = ctx.nowNs();
            assertTrue(ep.getPkt(new IoRecs(1), Kernel.NEVER));
            assertTrue(ctx.nowNs() - t0 >= 49 * MS);
            ctx.sleepUntil(Kernel.NEVER);
        });
        k.run(100 * MS, 0);
        Domain slave = k.domains().get(0);
        assertTrue(slave.cpuGuaranteedNs() + slave.cpuExtraNs() < 100 * US,
                "a blocked domain receives no CPU: " + (slave.cpuGuaranteedNs() + slave.cpuExtraNs()));
    }

    @Test
    void aCorruptHeaderIsDetectedNotTrusted() {
        Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("ideal"));
        List<Integer> seen = new ArrayList<>();
        k.createDomain("d", "t", Qos.of(10 * MS, 1 * MS, false), ctx -> {
            Fifo f = new Fifo("loop", 8, ctx, ctx);
            f.put(new IoRecs(1).add(0x1000_0000L, 1), 0);
            f.corruptHeaderForTest(1000);
            seen.add(f.peekCount());
            assertThrows(IllegalStateException.class, () -> f.get(new IoRecs(8), 0));
        }, 0);
        k.run(5 * MS, 0);
        assertEquals(List.of(-1), seen);
    }
}

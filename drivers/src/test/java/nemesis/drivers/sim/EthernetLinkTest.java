package nemesis.drivers.sim;

import static nemesis.drivers.sim.LinkHarness.MBPS;
import static nemesis.drivers.sim.LinkHarness.MS;
import static nemesis.drivers.sim.LinkHarness.US;
import static nemesis.drivers.sim.LinkHarness.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import nemesis.drivers.sim.LinkHarness.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Timing, queueing, ownership and capture order of the link, with exact times. */
class EthernetLinkTest {
    static final long TEN_MBPS = 10 * MBPS;
    static final long HUNDRED_MBPS = 100 * MBPS;
    /** (1514 + 24) bytes * 8 bits * 100 ns/bit at 10 Mb/s. */
    static final long FULL_FRAME_10M_NS = 1_230_400;

    private final List<LinkHarness> harnesses = new ArrayList<>();

    LinkHarness harness(LinkConfig c) {
        LinkHarness h = new LinkHarness(c);
        harnesses.add(h);
        return h;
    }

    @AfterEach
    void noFrameLeaks() {
        for (LinkHarness h : harnesses) {
            h.timeline.runAll();
            assertEquals(0, h.link.framesHeld(), "frames still held by the link");
            assertEquals(0, h.pool.inUse(), "frames not returned to the pool");
        }
    }

    @Nested
    class SerializationTime {
        @Test
        void fullFrameAt10MbitsTakes1230400ns() {
            LinkConfig c = LinkConfig.ethernet(TEN_MBPS, 0);
            assertEquals(FULL_FRAME_10M_NS, c.serializationNs(1514));
            assertEquals(1538, c.wireBytes(1514));
        }

        @Test
        void fullFrameAt100MbitsTakes123040ns() {
            assertEquals(123_040, LinkConfig.ethernet(HUNDRED_MBPS, 0).serializationNs(1514));
        }

        @Test
        void shortFramesArePaddedTo60Bytes() {
            LinkConfig c = LinkConfig.ethernet(TEN_MBPS, 0);
            assertEquals((60 + 24) * 800, c.serializationNs(42)); // an ARP request
            assertEquals((60 + 24) * 800, c.serializationNs(1));
            assertEquals((60 + 24) * 800, c.serializationNs(60));
            assertEquals((61 + 24) * 800, c.serializationNs(61));
        }

        @Test
        void withoutPaddingShortFramesTakeTheirOwnLength() {
            LinkConfig c = new LinkConfig(TEN_MBPS, 24, false, 0, Faults.NONE);
            assertEquals((42 + 24) * 800, c.serializationNs(42));
        }

        @Test
        void roundsUpToTheNextNanosecond() {
            // (64 + 24) * 8 bits at 7 Mb/s = 100,571.43 ns
            assertEquals(100_572, LinkConfig.ethernet(7 * MBPS, 0).serializationNs(64));
            // exact division stays exact
            assertEquals(704, LinkConfig.ethernet(1_000_000_000L, 0).serializationNs(64));
        }

        @Test
        void overheadIsConfigurable() {
            assertEquals(1514 * 800, new LinkConfig(TEN_MBPS, 0, true, 0, Faults.NONE).serializationNs(1514));
        }
    }

    @Nested
    class OneFrame {
        @Test
        void sendReturnsEndOfSerializationAndArrivalAddsPropagation() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 5 * US));
            long doneNs = h.send(End.A, frame(1, 1514), 0);
            assertEquals(FULL_FRAME_10M_NS, doneNs);
            assertEquals(FULL_FRAME_10M_NS, h.link.busyUntil(End.A));
            assertEquals(0, h.link.busyUntil(End.B));

            h.timeline.runUntil(FULL_FRAME_10M_NS + 5 * US - 1);
            assertEquals(List.of(), h.deliveries, "nothing arrives before end + propagation");
            h.timeline.runUntil(FULL_FRAME_10M_NS + 5 * US);
            assertEquals(1, h.deliveries.size());
            Delivery d = h.deliveries.getFirst();
            assertEquals(End.B, d.at());
            assertEquals(FULL_FRAME_10M_NS + 5 * US, d.arrivalNs());
        }

        @Test
        void deliversAnIdenticalCopyNotTheSendersBuffer() {
            LinkHarness h = harness(LinkConfig.ethernet(HUNDRED_MBPS, 0));
            byte[] data = frame(7, 100);
            Frame f = h.pool.copyOf(data, 0, data.length);
            h.link.send(End.B, f, 0);
            h.timeline.runAll();
            assertEquals(1, h.at(End.A).size());
            org.junit.jupiter.api.Assertions.assertArrayEquals(data, h.at(End.A).getFirst().data());
        }

        @Test
        void startsAtSendTimeWhenThePortIsIdle() {
            LinkHarness h = harness(LinkConfig.ethernet(HUNDRED_MBPS, 0));
            assertEquals(123_040, h.send(End.A, frame(1, 1514), 0));
            assertEquals(5 * MS + 123_040, h.send(End.A, frame(2, 1514), 5 * MS));
        }

        @Test
        void countsFramesBytesAndWireTime() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 0));
            h.send(End.A, frame(1, 1514), 0);
            h.send(End.A, frame(2, 42), 0);
            h.timeline.runAll();
            LinkCounters c = h.link.counters(End.A);
            assertEquals(2, c.frames());
            assertEquals(1514 + 42, c.bytes());
            assertEquals(1538 + 84, c.wireBytes());
            assertEquals(FULL_FRAME_10M_NS + 84 * 800, c.wireTimeNs());
            assertEquals(2, c.delivered());
            assertEquals(0, h.link.counters(End.B).frames());
        }
    }

    @Nested
    class BackToBack {
        @Test
        void framesHandedTogetherLeaveOneSerializationTimeApart() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 50 * US));
            for (int i = 0; i < 5; i++) {
                assertEquals((i + 1) * FULL_FRAME_10M_NS, h.send(End.A, frame(i, 1514), 0));
            }
            assertEquals(5 * FULL_FRAME_10M_NS, h.link.busyUntil(End.A));
            h.timeline.runAll();
            List<Delivery> got = h.at(End.B);
            assertEquals(5, got.size());
            for (int i = 0; i < 5; i++) {
                assertEquals((i + 1) * FULL_FRAME_10M_NS + 50 * US, got.get(i).arrivalNs());
                assertEquals(i, LinkHarness.seq(got.get(i).data()), "FIFO order");
            }
        }

        @Test
        void aSenderFasterThanTheWireQueuesBehindThePort() {
            // one full frame every 100 us on a wire that needs 1,230.4 us per frame
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 0));
            for (int i = 0; i < 10; i++) {
                long now = i * 100 * US;
                long done = h.send(End.A, frame(i, 1514), now);
                assertEquals((i + 1) * FULL_FRAME_10M_NS, done, "frame " + i);
                assertEquals(done, h.link.busyUntil(End.A));
            }
            h.timeline.runAll();
            assertEquals(10 * FULL_FRAME_10M_NS, h.deliveries.getLast().arrivalNs());
        }

        @Test
        void shortFramesBackToBackAreSpacedByTheirPaddedLength() {
            LinkHarness h = harness(LinkConfig.ethernet(HUNDRED_MBPS, 0));
            assertEquals(6_720, h.send(End.A, frame(0, 42), 0));
            assertEquals(13_440, h.send(End.A, frame(1, 42), 0));
        }

        @Test
        void theTwoDirectionsAreIndependent() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 10 * US));
            assertEquals(FULL_FRAME_10M_NS, h.send(End.A, frame(1, 1514), 0));
            assertEquals(FULL_FRAME_10M_NS, h.send(End.B, frame(2, 1514), 0));
            h.timeline.runAll();
            assertEquals(FULL_FRAME_10M_NS + 10 * US, h.at(End.A).getFirst().arrivalNs());
            assertEquals(FULL_FRAME_10M_NS + 10 * US, h.at(End.B).getFirst().arrivalNs());
        }

        @Test
        void steadyStateHoldsOneAlarmAtATime() {
            LinkHarness h = harness(LinkConfig.ethernet(HUNDRED_MBPS, 0));
            for (int i = 0; i < 100; i++) {
                h.send(End.A, frame(i, 1514), 0);
            }
            assertEquals(1, h.timeline.pending(), "queued frames share the link's one alarm");
            h.timeline.runAll();
            assertEquals(100, h.deliveries.size());
        }
    }

    @Nested
    class Allocation {
        @Test
        void steadyStateSendAndDeliveryAllocateNothing() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            org.junit.jupiter.api.Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean,
                    "no per-thread allocation counter on this JVM");
            var mx = (com.sun.management.ThreadMXBean) threads;
            FramePool pool = new FramePool(64);
            ManualTimeline tl = new ManualTimeline();
            EthernetLink link = new EthernetLink("w", LinkConfig.ethernet(HUNDRED_MBPS, 5 * US)
                    .withFaults(new Faults(0.01, 0.01, 0.01, 0.01)), 1, tl, pool);
            long[] delivered = new long[1];
            link.attach(End.B, (f, t) -> {
                delivered[0]++;
                f.release();
            });
            link.attach(End.A, (f, t) -> f.release());
            byte[] data = frame(0, 1514);
            long[] now = {0};
            Runnable burst = () -> {
                for (int i = 0; i < 20_000; i++) {
                    now[0] += 400 * US; // 3 full frames take 369 us at 100 Mb/s
                    tl.runUntil(now[0]);
                    for (int k = 0; k < 3; k++) { // three frames back to back: two queue behind the port
                        link.send(End.A, pool.copyOf(data, 0, data.length), now[0]);
                    }
                    link.send(End.B, pool.copyOf(data, 0, 64), now[0]);
                }
            };
            burst.run(); // warm up: pool, heaps and the JIT
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            burst.run();
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            tl.runAll();
            // not 0: the JIT and the counter itself allocate a little, once; a per-frame object would be megabytes
            assertTrue(allocated < 4096, allocated + " bytes allocated for 80,000 frames");
            assertTrue(delivered[0] > 100_000);
            assertEquals(0, pool.inUse());
        }
    }

    @Nested
    class Capture {
        record Captured(long startNs, End from, int seq) {
        }

        @Test
        void capturesEachFrameAtItsStartInTimeOrderOverBothDirections() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 0));
            List<Captured> seen = new ArrayList<>();
            h.link.capture((t, from, f) -> seen.add(new Captured(t, from, LinkHarness.seq(f.bytes()))));
            h.send(End.A, frame(0, 1514), 0);
            h.send(End.A, frame(1, 1514), 0);
            h.send(End.A, frame(2, 1514), 0);
            h.send(End.B, frame(10, 1514), MS);
            h.timeline.runAll();
            assertEquals(List.of(new Captured(0, End.A, 0), new Captured(MS, End.B, 10),
                    new Captured(FULL_FRAME_10M_NS, End.A, 1), new Captured(2 * FULL_FRAME_10M_NS, End.A, 2)), seen);
        }

        @Test
        void aLateSendFirstStartsTheFramesWhoseTimeHasCome() {
            // The timeline is not run before the second send, as if the kernel's alarm were late.
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 0));
            List<Long> starts = new ArrayList<>();
            h.link.capture((t, from, f) -> starts.add(t));
            h.link.send(End.A, h.pool.copyOf(frame(0, 1514), 0, 1514), 0);
            h.link.send(End.A, h.pool.copyOf(frame(1, 1514), 0, 1514), 0);
            h.link.send(End.B, h.pool.copyOf(frame(2, 1514), 0, 1514), 2 * MS);
            assertEquals(List.of(0L, FULL_FRAME_10M_NS, 2 * MS), starts);
        }
    }

    @Nested
    class Ownership {
        @Test
        void framesArrivingWithNoReceiverAreDroppedAndCounted() {
            FramePool pool = new FramePool(4);
            ManualTimeline tl = new ManualTimeline();
            EthernetLink link = new EthernetLink("w", LinkConfig.ethernet(TEN_MBPS, 0), 1, tl, pool);
            List<LinkEvent> events = new ArrayList<>();
            link.listener((t, from, no, e, detail) -> events.add(e));
            link.send(End.A, pool.copyOf(frame(0, 100), 0, 100), 0);
            tl.runAll();
            assertEquals(1, link.counters(End.A).count(LinkEvent.NO_RECEIVER));
            assertEquals(1, link.counters(End.A).dropped());
            assertEquals(List.of(LinkEvent.NO_RECEIVER), events);
            assertEquals(0, pool.inUse());
        }

        @Test
        void aThrowingReceiverDoesNotWedgeTheLink() {
            FramePool pool = new FramePool(4);
            ManualTimeline tl = new ManualTimeline();
            EthernetLink link = new EthernetLink("w", LinkConfig.ethernet(TEN_MBPS, 0), 1, tl, pool);
            List<Integer> got = new ArrayList<>();
            link.attach(End.B, (f, t) -> {
                int seq = LinkHarness.seq(f.bytes());
                f.release();
                if (seq == 0) {
                    throw new IllegalStateException("receiver bug");
                }
                got.add(seq);
            });
            link.send(End.A, pool.copyOf(frame(0, 100), 0, 100), 0);
            link.send(End.A, pool.copyOf(frame(1, 100), 0, 100), 0);
            assertThrows(IllegalStateException.class, tl::runAll);
            tl.runAll();
            assertEquals(List.of(1), got);
            assertEquals(0, pool.inUse());
        }

        @Test
        void refusesTimeGoingBackwardsAndEmptyFrames() {
            LinkHarness h = harness(LinkConfig.ethernet(TEN_MBPS, 0));
            h.send(End.A, frame(0, 100), 10 * US);
            Frame f = h.pool.allocate();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.link.send(End.B, f, 0));
            assertTrue(e.getMessage().contains("before link time 10000"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> h.link.send(End.B, f, 20 * US)); // length 0
            f.release();
        }
    }

    @Nested
    class Config {
        @Test
        void refusesNonsense() {
            assertThrows(IllegalArgumentException.class, () -> LinkConfig.ethernet(0, 0));
            assertThrows(IllegalArgumentException.class, () -> LinkConfig.ethernet(TEN_MBPS, -1));
            assertThrows(IllegalArgumentException.class, () -> new LinkConfig(TEN_MBPS, -1, true, 0, Faults.NONE));
            assertThrows(NullPointerException.class, () -> new LinkConfig(TEN_MBPS, 24, true, 0, null));
        }

        @Test
        void faultProbabilitiesMustBeInZeroOne() {
            assertThrows(IllegalArgumentException.class, () -> new Faults(-0.01, 0, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new Faults(0, 1.01, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new Faults(0, 0, Double.NaN, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Faults(0, 0, 0, 2));
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
            new Faults(1, 1, 1, 1);
        }
    }
}

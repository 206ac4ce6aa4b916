package nemesis.drivers.sim;

import static nemesis.drivers.sim.LinkHarness.MBPS;
import static nemesis.drivers.sim.LinkHarness.US;
import static nemesis.drivers.sim.LinkHarness.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import nemesis.drivers.sim.LinkHarness.Delivery;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each fault at probability 0 and 1, its frequency near p, and its exact semantics. */
class LinkFaultsTest {
    static final long RATE_BPS = 100 * MBPS;
    static final long PROPAGATION_NS = 10 * US;
    static final int LEN = 200;
    /** (200 + 24) * 8 * 10 ns at 100 Mb/s. */
    static final long SER_NS = 17_920;

    static LinkConfig config(Faults f) {
        return LinkConfig.ethernet(RATE_BPS, PROPAGATION_NS).withFaults(f);
    }

    /** {@code n} frames of {@code LEN} bytes from A, back to back, numbered 0..n-1; runs dry. */
    static LinkHarness run(Faults f, int n, long seed) {
        LinkHarness h = new LinkHarness(config(f), seed, 4 * n + 16);
        for (int i = 0; i < n; i++) {
            h.send(End.A, frame(i, LEN), 0);
        }
        h.timeline.runAll();
        assertEquals(0, h.pool.inUse(), "leak");
        assertEquals(0, h.link.framesHeld());
        return h;
    }

    /** Arrival of frame {@code i} without faults. */
    static long nominalArrivalNs(int i) {
        return (i + 1) * SER_NS + PROPAGATION_NS;
    }

    @Nested
    class None {
        @Test
        void everyFrameArrivesOnceInOrderUnchanged() {
            LinkHarness h = run(new Faults(0, 0, 0, 0), 1000, 1);
            List<Delivery> got = h.at(End.B);
            assertEquals(1000, got.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(nominalArrivalNs(i), got.get(i).arrivalNs());
                assertArrayEquals(frame(i, LEN), got.get(i).data());
            }
            LinkCounters c = h.link.counters(End.A);
            for (LinkEvent e : LinkEvent.values()) {
                assertEquals(0, c.count(e), e.name());
            }
        }
    }

    @Nested
    class Loss {
        @Test
        void atOneNothingArrivesButTheWireIsStillOccupied() {
            LinkHarness h = new LinkHarness(config(new Faults(1, 0, 0, 0)));
            for (int i = 0; i < 10; i++) {
                assertEquals((i + 1) * SER_NS, h.send(End.A, frame(i, LEN), 0));
            }
            h.timeline.runAll();
            assertEquals(List.of(), h.deliveries);
            LinkCounters c = h.link.counters(End.A);
            assertEquals(10, c.lost());
            assertEquals(10, c.dropped());
            assertEquals(10 * SER_NS, c.wireTimeNs());
            assertEquals(0, h.pool.inUse());
        }

        @Test
        void frequencyIsNearP() {
            assertFrequency(new Faults(0.1, 0, 0, 0), LinkEvent.LOSS, 0.1);
        }
    }

    @Nested
    class Duplicate {
        @Test
        void atOneEveryFrameArrivesTwiceBackToBackWithoutExtraWireTime() {
            LinkHarness h = run(new Faults(0, 1, 0, 0), 50, 1);
            List<Delivery> got = h.at(End.B);
            assertEquals(100, got.size());
            for (int i = 0; i < 50; i++) {
                Delivery first = got.get(2 * i);
                Delivery second = got.get(2 * i + 1);
                assertEquals(nominalArrivalNs(i), first.arrivalNs());
                assertEquals(first, second, "the copy arrives right after the original");
                assertArrayEquals(frame(i, LEN), second.data());
            }
            LinkCounters c = h.link.counters(End.A);
            assertEquals(50, c.count(LinkEvent.DUPLICATE));
            assertEquals(100, c.delivered());
            assertEquals(50 * SER_NS, c.wireTimeNs());
        }

        @Test
        void anEmptyPoolSkipsTheDuplicateAndCountsIt() {
            LinkHarness h = new LinkHarness(config(new Faults(0, 1, 0, 0)), 1, 1, "w");
            h.send(End.A, frame(0, LEN), 0);
            h.timeline.runAll();
            assertEquals(1, h.deliveries.size());
            assertEquals(1, h.link.counters(End.A).count(LinkEvent.DUPLICATE_NO_FRAME));
            assertEquals(0, h.link.counters(End.A).count(LinkEvent.DUPLICATE));
        }

        @Test
        void frequencyIsNearP() {
            assertFrequency(new Faults(0, 0.05, 0, 0), LinkEvent.DUPLICATE, 0.05);
        }
    }

    @Nested
    class Reorder {
        @Test
        void atOneEveryFrameIsHeldOneToFourOfItsSerializationTimes() {
            LinkHarness h = run(new Faults(0, 0, 1, 0), 400, 3);
            int[] heldTimes = new int[5];
            for (Delivery d : h.at(End.B)) {
                long late = d.arrivalNs() - nominalArrivalNs(LinkHarness.seq(d.data()));
                assertEquals(0, late % SER_NS, "held a whole number of frame times");
                int k = (int) (late / SER_NS);
                assertTrue(k >= 1 && k <= 4, "held " + k);
                heldTimes[k]++;
            }
            for (int k = 1; k <= 4; k++) {
                assertTrue(heldTimes[k] > 60, "delay " + k + " x seen " + heldTimes[k] + " times of 400");
            }
            assertEquals(400, h.link.counters(End.A).count(LinkEvent.REORDER));
        }

        @Test
        void aFrameHeldKFrameTimesIsOvertakenByTheKFramesBehindIt() {
            // Seeds where frame 0 alone is held back, until each k in 1..4 has been seen.
            Faults f = new Faults(0, 0, 0.3, 0);
            java.util.Set<Integer> seen = new java.util.TreeSet<>();
            for (long seed = 0; seed < 2000 && seen.size() < 4; seed++) {
                LinkHarness h = run(f, 6, seed);
                List<Integer> order = h.at(End.B).stream().map(d -> LinkHarness.seq(d.data())).toList();
                if (h.link.counters(End.A).count(LinkEvent.REORDER) == 1 && order.getFirst() != 0) {
                    int k = order.indexOf(0);
                    assertEquals(nominalArrivalNs(k), h.at(End.B).get(k).arrivalNs(), "held " + k + " frame times");
                    List<Integer> expected = new ArrayList<>(List.of(1, 2, 3, 4, 5));
                    expected.add(k, 0);
                    assertEquals(expected, order);
                    seen.add(k);
                }
            }
            assertEquals(java.util.Set.of(1, 2, 3, 4), seen);
        }

        @Test
        void followingFramesOvertakeAHeldFrame() {
            LinkHarness h = run(new Faults(0, 0, 0.2, 0), 1000, 4);
            List<Delivery> got = h.at(End.B);
            assertEquals(1000, got.size());
            int inversions = 0;
            for (int i = 1; i < got.size(); i++) {
                if (LinkHarness.seq(got.get(i).data()) < LinkHarness.seq(got.get(i - 1).data())) {
                    inversions++;
                }
                assertTrue(got.get(i).arrivalNs() >= got.get(i - 1).arrivalNs(), "deliveries in time order");
            }
            long reordered = h.link.counters(End.A).count(LinkEvent.REORDER);
            assertTrue(inversions > 0.5 * reordered && inversions <= reordered,
                    inversions + " inversions for " + reordered + " frames held back");
        }

        @Test
        void frequencyIsNearP() {
            assertFrequency(new Faults(0, 0, 0.3, 0), LinkEvent.REORDER, 0.3);
        }
    }

    @Nested
    class Corrupt {
        @Test
        void atOneEveryFrameHasOneToThreeBitsFlippedAfterTheEthernetHeader() {
            LinkHarness h = run(new Faults(0, 0, 0, 1), 300, 5);
            int[] flips = new int[4];
            List<Delivery> got = h.at(End.B);
            for (int k = 0; k < got.size(); k++) {
                Delivery d = got.get(k);
                byte[] sent = frame(k, LEN); // no reordering: frame k arrives k-th
                int n = 0;
                int positions = 0;
                for (int i = 0; i < LEN; i++) {
                    int diff = (sent[i] ^ d.data()[i]) & 0xff;
                    if (diff != 0) {
                        assertTrue(i >= 14, "byte " + i + " of the Ethernet header changed");
                    }
                    for (int bit = 0; bit < 8; bit++) {
                        if ((diff & (1 << bit)) != 0) {
                            n++;
                            int position = ((i & 1) == 0 ? 8 : 0) + bit;
                            assertEquals(0, positions & (1 << position), "two flips at one word position");
                            positions |= 1 << position;
                        }
                    }
                }
                assertTrue(n >= 1 && n <= 3, n + " bits flipped");
                flips[n]++;
            }
            assertTrue(flips[1] > 70 && flips[2] > 70 && flips[3] > 70, java.util.Arrays.toString(flips));
            assertEquals(300, h.link.counters(End.A).corrupted());
        }

        @Test
        void checksumsCatchEveryCorruptedUdpFrame() {
            LinkHarness h = new LinkHarness(config(new Faults(0, 0, 0, 1)), 6, 4096, "w");
            for (int i = 0; i < 2000; i++) {
                byte[] f = UdpFrames.udp(i, i % 3 == 0 ? 1 : 1 + (i * 37) % 1400); // 43..1442 bytes
                assertTrue(UdpFrames.accepted(f, f.length), "built with good checksums");
                h.send(End.A, f, 0);
            }
            h.timeline.runAll();
            assertEquals(2000, h.deliveries.size());
            for (Delivery d : h.deliveries) {
                assertFalse(UdpFrames.accepted(d.data(), d.data().length), "corruption slipped through: " + d);
            }
        }

        @Test
        void framesWithNothingAfterTheHeaderAreLeftIntact() {
            LinkHarness h = new LinkHarness(config(new Faults(0, 0, 0, 1)));
            h.send(End.A, frame(0, 14), 0);
            h.send(End.A, frame(0, 15), 0);
            h.timeline.runAll();
            assertArrayEquals(frame(0, 14), h.deliveries.get(0).data());
            assertNotEquals(frame(0, 15)[14], h.deliveries.get(1).data()[14]);
            assertEquals(1, h.link.counters(End.A).count(LinkEvent.CORRUPT_TOO_SHORT));
            assertEquals(1, h.link.counters(End.A).corrupted());
        }

        @Test
        void aDuplicateIsACleanCopy() {
            LinkHarness h = run(new Faults(0, 1, 0, 1), 20, 7);
            List<Delivery> got = h.at(End.B);
            for (int i = 0; i < 20; i++) {
                assertFalse(java.util.Arrays.equals(frame(i, LEN), got.get(2 * i).data()), "original corrupted");
                assertArrayEquals(frame(i, LEN), got.get(2 * i + 1).data(), "duplicate as sent");
            }
        }

        @Test
        void frequencyIsNearP() {
            assertFrequency(new Faults(0, 0, 0, 0.02), LinkEvent.CORRUPT, 0.02);
        }
    }

    @Nested
    class Together {
        @Test
        void eachFaultsDecisionsDoNotDependOnTheOthersProbabilities() {
            List<Long> lost = lostFrames(new Faults(0.2, 0, 0, 0));
            assertEquals(lost, lostFrames(new Faults(0.2, 0.3, 0.3, 0.3)), "the same frames are lost");
            assertEquals(lost.size(), 2000 * 0.2, 5 * Math.sqrt(2000 * 0.2 * 0.8));
        }

        /** Numbers of the frames lost among 2,000 sent with seed 9. */
        static List<Long> lostFrames(Faults f) {
            LinkHarness h = new LinkHarness(config(f), 9, 8192, "w");
            List<Long> lost = new ArrayList<>();
            h.link.listener((t, from, no, e, detail) -> {
                if (e == LinkEvent.LOSS) {
                    lost.add(no);
                }
            });
            for (int i = 0; i < 2000; i++) {
                h.send(End.A, frame(i, LEN), 0);
            }
            h.timeline.runAll();
            return lost;
        }

        @Test
        void everyEventGoesToTheListenerAndTheCounters() {
            LinkHarness h = new LinkHarness(config(new Faults(0.1, 0.1, 0.1, 0.1)), 11, 4096, "w");
            Map<LinkEvent, Integer> heard = new EnumMap<>(LinkEvent.class);
            List<String> details = new ArrayList<>();
            h.link.listener((t, from, no, e, detail) -> {
                heard.merge(e, 1, Integer::sum);
                assertEquals(End.A, from);
                assertTrue(no >= 0 && no < 2000);
                if (e == LinkEvent.CORRUPT) {
                    assertTrue(detail.startsWith("flipped "), detail);
                }
                if (e == LinkEvent.REORDER) {
                    assertTrue(detail.matches("held \\d+ ns"), detail);
                }
                details.add(detail);
            });
            for (int i = 0; i < 2000; i++) {
                h.send(End.A, frame(i, LEN), 0);
            }
            h.timeline.runAll();
            LinkCounters c = h.link.counters(End.A);
            for (LinkEvent e : LinkEvent.values()) {
                assertEquals(c.count(e), (long) heard.getOrDefault(e, 0), e.name());
            }
            assertEquals(c.frames() - c.lost() + c.count(LinkEvent.DUPLICATE), c.delivered());
            assertTrue(c.lost() > 0 && c.count(LinkEvent.DUPLICATE) > 0 && c.count(LinkEvent.REORDER) > 0
                    && c.corrupted() > 0, c.toString());
        }
    }

    /** Over 20,000 frames in each direction, the fault's count is within 5 standard deviations of n p. */
    static void assertFrequency(Faults f, LinkEvent e, double p) {
        int n = 20_000;
        LinkHarness h = new LinkHarness(config(f), 42, 2 * n + 16, "freq");
        for (int i = 0; i < n; i++) {
            h.send(End.A, frame(i, LEN), 0);
            h.send(End.B, frame(i, LEN), 0);
        }
        h.timeline.runAll();
        double sd = Math.sqrt(n * p * (1 - p));
        for (End from : End.values()) {
            long got = h.link.counters(from).count(e);
            assertTrue(Math.abs(got - n * p) < 5 * sd, e + " from " + from + ": " + got + " of " + n + ", p " + p);
        }
        assertNotEquals(h.link.counters(End.A).count(e), h.link.counters(End.B).count(e),
                "the two directions draw from different streams");
        assertEquals(0, h.pool.inUse());
    }
}

package nemesis.drivers.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import nemesis.drivers.sim.LinkHarness.Delivery;

/** Properties of the link over random traffic and fault settings. */
class EthernetLinkProperties {
    /** One frame handed to the link: {@code gapNs} after the previous one, from one end. */
    record Send(boolean fromA, long gapNs, int len) {
    }

    @Provide
    Arbitrary<Send> sends() {
        return Combinators.combine(Arbitraries.of(true, false),
                        Arbitraries.longs().between(0, 400_000), Arbitraries.integers().between(1, Frame.CAPACITY))
                .as(Send::new);
    }

    @Provide
    Arbitrary<Long> rates() {
        return Arbitraries.of(10_000_000L, 100_000_000L, 1_000_000_000L, 7_000_000L);
    }

    @Property(tries = 200)
    void noFrameLeaksAndEveryFrameIsAccountedFor(
            @ForAll @Size(max = 300) List<@From("sends") Send> traffic,
            @ForAll("rates") long rateBps,
            @ForAll @DoubleRange(min = 0, max = 1) double loss,
            @ForAll @DoubleRange(min = 0, max = 1) double duplicate,
            @ForAll @DoubleRange(min = 0, max = 1) double reorder,
            @ForAll @DoubleRange(min = 0, max = 1) double corrupt,
            @ForAll long seed) {
        LinkConfig config = LinkConfig.ethernet(rateBps, 20_000).withFaults(new Faults(loss, duplicate, reorder, corrupt));
        LinkHarness h = new LinkHarness(config, seed, 2 * traffic.size() + 1, "prop");
        int inUseBefore = h.pool.inUse();
        long now = 0;
        int i = 0;
        for (Send s : traffic) {
            now += s.gapNs();
            h.send(s.fromA() ? End.A : End.B, LinkHarness.frame(i++, s.len()), now);
        }
        h.timeline.runAll();

        assertEquals(inUseBefore, h.pool.inUse(), "frames leaked from the pool");
        assertEquals(0, h.link.framesHeld());
        assertEquals(0, h.timeline.pending());
        for (End from : End.values()) {
            LinkCounters c = h.link.counters(from);
            assertEquals(c.frames() - c.lost() + c.count(LinkEvent.DUPLICATE), c.delivered(), c.toString());
            assertEquals(c.delivered(), h.at(from.other()).size());
            List<Delivery> got = h.at(from.other());
            for (int k = 1; k < got.size(); k++) {
                assertTrue(got.get(k).arrivalNs() >= got.get(k - 1).arrivalNs(), "deliveries in time order");
            }
        }
    }

    @Property(tries = 200)
    void withoutFaultsFramesArriveInOrderAtEndPlusPropagation(
            @ForAll @Size(max = 200) List<@From("sends") Send> traffic,
            @ForAll("rates") long rateBps,
            @ForAll boolean pad) {
        long propagationNs = 3_000;
        LinkConfig config = new LinkConfig(rateBps, LinkConfig.ETHERNET_OVERHEAD_BYTES, pad, propagationNs, Faults.NONE);
        LinkHarness h = new LinkHarness(config, 1, traffic.size() + 1, "prop");
        long[] expectedA = new long[traffic.size()];
        long[] expectedB = new long[traffic.size()];
        int na = 0;
        int nb = 0;
        long now = 0;
        long freeA = 0;
        long freeB = 0;
        int i = 0;
        for (Send s : traffic) {
            now += s.gapNs();
            // the model, restated: start when both the frame and the port are ready
            long ser = config.serializationNs(s.len());
            long done = h.send(s.fromA() ? End.A : End.B, LinkHarness.frame(i++, s.len()), now);
            if (s.fromA()) {
                freeA = Math.max(now, freeA) + ser;
                assertEquals(freeA, done);
                expectedB[nb++] = done + propagationNs;
            } else {
                freeB = Math.max(now, freeB) + ser;
                assertEquals(freeB, done);
                expectedA[na++] = done + propagationNs;
            }
        }
        h.timeline.runAll();
        List<Delivery> atB = h.at(End.B);
        List<Delivery> atA = h.at(End.A);
        assertEquals(nb, atB.size());
        assertEquals(na, atA.size());
        for (int k = 0; k < nb; k++) {
            assertEquals(expectedB[k], atB.get(k).arrivalNs());
        }
        for (int k = 0; k < na; k++) {
            assertEquals(expectedA[k], atA.get(k).arrivalNs());
        }
        assertEquals(0, h.pool.inUse());
    }
}

package nemesis.drivers.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ManualTimelineTest {
    @Test
    void runsActionsInTimeOrderThenInsertionOrder() {
        ManualTimeline tl = new ManualTimeline();
        List<String> ran = new ArrayList<>();
        tl.at(20, () -> ran.add("c20"));
        tl.at(10, () -> ran.add("a10"));
        tl.at(20, () -> ran.add("d20"));
        tl.at(10, () -> ran.add("b10"));
        tl.runAll();
        assertEquals(List.of("a10", "b10", "c20", "d20"), ran);
        assertEquals(20, tl.nowNs());
    }

    @Test
    void runUntilIncludesItsLimitAndNothingAfter() {
        ManualTimeline tl = new ManualTimeline();
        List<Long> ran = new ArrayList<>();
        tl.at(100, () -> ran.add(tl.nowNs()));
        assertEquals(0, tl.runUntil(99));
        assertEquals(99, tl.nowNs());
        assertEquals(1, tl.runUntil(100));
        assertEquals(List.of(100L), ran);
        assertEquals(Long.MAX_VALUE, tl.nextEventNs());
    }

    @Test
    void actionsMayScheduleMoreIncludingNow() {
        ManualTimeline tl = new ManualTimeline();
        List<String> ran = new ArrayList<>();
        tl.at(5, () -> {
            ran.add("first");
            tl.at(5, () -> ran.add("same time, later"));
            tl.at(7, () -> ran.add("later"));
        });
        tl.at(5, () -> ran.add("second"));
        assertEquals(4, tl.runUntil(10));
        assertEquals(List.of("first", "second", "same time, later", "later"), ran);
    }

    @Test
    void aPastActionRunsAtTheNextRunWithoutMovingTimeBack() {
        ManualTimeline tl = new ManualTimeline();
        tl.runUntil(50);
        List<Long> ran = new ArrayList<>();
        tl.at(10, () -> ran.add(tl.nowNs()));
        tl.runUntil(60);
        assertEquals(List.of(50L), ran);
        assertThrows(IllegalArgumentException.class, () -> tl.runUntil(59));
    }

    @Test
    void matchesASortOfManyRandomEvents() {
        ManualTimeline tl = new ManualTimeline();
        SplittableRandom rng = new SplittableRandom(3);
        List<long[]> expected = new ArrayList<>();
        List<long[]> ran = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            long t = rng.nextLong(1000);
            long[] e = {t, i};
            expected.add(e);
            tl.at(t, () -> ran.add(e));
        }
        expected.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        tl.runAll();
        assertEquals(expected, ran);
        assertEquals(0, tl.pending());
    }
}

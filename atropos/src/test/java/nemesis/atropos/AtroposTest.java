package nemesis.atropos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules of digest §1, one at a time, with exact times. */
class AtroposTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;
    static final long NEVER = Atropos.NEVER;

    final Atropos<String> a = new Atropos<>(Flavour.CPU);

    @Nested
    class Admission {
        @Test
        void newDomainStartsAPeriodWithAFullSliceOnTheRunHeap() throws Exception {
            Sdom<String> s = a.admit("a", Qos.of(10 * MS, 3 * MS, false), 5 * MS);
            assertEquals(SchedState.RUN, s.state());
            assertEquals(3 * MS, s.remainNs());
            assertEquals(15 * MS, s.deadlineNs());
        }

        @Test
        void sliceZeroStartsWaiting() throws Exception {
            Sdom<String> s = a.admit("x", Qos.extraOnly(10 * MS), 0);
            assertEquals(SchedState.WAIT, s.state());
        }

        @Test
        void refusesOverTheCapAndSaysHowMuchIsFree() throws Exception {
            a.admit("a", Qos.of(10 * MS, 6 * MS, false), 0);
            AdmissionException e = assertThrows(AdmissionException.class,
                    () -> a.admit("b", Qos.of(20 * MS, 8 * MS, false), 0));
            assertEquals(380_000_000L, e.freePpb());
            assertTrue(e.getMessage().contains("38.0% free"), e.getMessage());
            assertTrue(e.getMessage().contains("40.0%"), e.getMessage());
            assertEquals(600_000_000L, a.admittedPpb(), "a refusal changes nothing");
        }

        @Test
        void fillsExactlyToTheCap() throws Exception {
            a.admit("a", Qos.of(100 * MS, 98 * MS, false), 0);
            assertThrows(AdmissionException.class, () -> a.admit("b", Qos.of(1_000 * MS, 1, false), 0));
            a.admit("c", Qos.extraOnly(10 * MS), 0);
        }

        @Test
        void removeReturnsTheShare() throws Exception {
            Sdom<String> s = a.admit("a", Qos.of(10 * MS, 9 * MS, false), 0);
            a.remove(s);
            assertEquals(0, a.admittedPpb());
            a.admit("b", Qos.of(10 * MS, 9 * MS, false), 0);
        }

        @Test
        void configurableCap() throws Exception {
            Atropos<String> half = new Atropos<>(Flavour.CPU, 500_000_000L);
            half.admit("a", Qos.of(10 * MS, 5 * MS, false), 0);
            assertThrows(AdmissionException.class, () -> half.admit("b", Qos.of(10 * MS, 1, false), 0));
        }

        @Test
        void qosChangeIsAdmissionChecked() throws Exception {
            Sdom<String> s = a.admit("a", Qos.of(10 * MS, 5 * MS, false), 0);
            a.admit("b", Qos.of(10 * MS, 4 * MS, false), 0);
            assertThrows(AdmissionException.class, () -> a.setQos(s, Qos.of(10 * MS, 6 * MS, false)));
            assertEquals(Qos.of(10 * MS, 5 * MS, false), s.qos());
            a.setQos(s, Qos.of(10 * MS, 5_800 * US, false));
        }
    }

    @Nested
    class Edf {
        @Test
        void earliestDeadlineRunsUntilItsSliceEnds() throws Exception {
            Sdom<String> x = a.admit("x", Qos.of(20 * MS, 5 * MS, false), 0);
            Sdom<String> y = a.admit("y", Qos.of(10 * MS, 2 * MS, false), 0);
            assertSame(y, a.schedule(0, 0, false, NEVER));
            assertEquals(ActivationReason.ALLOCATED, a.reason());
            assertEquals(2 * MS, a.allocationEndNs());
            assertSame(x, a.schedule(2 * MS, 2 * MS, false, NEVER));
            assertEquals(SchedState.WAIT, y.state());
            assertEquals(7 * MS, a.allocationEndNs());
            // y's refill at 10 ms comes after x's allocation ends at 7 ms
            assertEquals(7 * MS, a.nextTimerNs());
            assertNull(a.schedule(7 * MS, 5 * MS, false, NEVER));
            assertEquals(10 * MS, a.nextTimerNs(), "idle until y's next period");
        }

        @Test
        void aRefillWithAnEarlierDeadlinePreempts() throws Exception {
            Sdom<String> slow = a.admit("slow", Qos.of(100 * MS, 50 * MS, false), 0);
            Sdom<String> fast = a.admit("fast", Qos.of(10 * MS, 1 * MS, false), 0);
            assertSame(fast, a.schedule(0, 0, false, NEVER));
            assertSame(slow, a.schedule(1 * MS, 1 * MS, false, NEVER));
            assertEquals(10 * MS, a.nextTimerNs(), "timer cut short for fast's refill");
            assertSame(fast, a.schedule(10 * MS, 9 * MS, false, NEVER));
            assertEquals(ActivationReason.ALLOCATED, a.reason());
            assertSame(slow, a.schedule(11 * MS, 1 * MS, false, NEVER));
            assertEquals(ActivationReason.PREEMPTED, a.reason());
            assertEquals(50 * MS - 9 * MS, slow.remainNs());
        }

        @Test
        void overrunIsDebtCarriedIntoTheNextPeriod() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 2 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            a.schedule(2_300 * US, 2_300 * US, false, NEVER); // 300 us over
            assertEquals(-300 * US, s.remainNs());
            assertEquals(SchedState.WAIT, s.state());
            a.schedule(10 * MS, 0, false, NEVER);
            assertEquals(1_700 * US, s.remainNs());
            assertEquals(2_300 * US, s.acGuaranteedNs());
        }

        @Test
        void deepDebtSkipsWholePeriods() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 1 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            a.schedule(25 * MS, 25 * MS, false, NEVER); // 24 ms over: refilled repeatedly in one pass
            assertEquals(-24 * MS + 1 * MS + 1 * MS, s.remainNs());
            assertEquals(SchedState.WAIT, s.state());
            assertEquals(30 * MS, s.deadlineNs());
            assertEquals(1, s.lateSlices());
        }

        @Test
        void equalDeadlinesAreBrokenByAdmissionOrder() throws Exception {
            Sdom<String> first = a.admit("first", Qos.of(10 * MS, 1 * MS, false), 0);
            a.admit("second", Qos.of(10 * MS, 1 * MS, false), 0);
            assertSame(first, a.schedule(0, 0, false, NEVER));
        }
    }

    @Nested
    class Blocking {
        @Test
        void shortBlockKeepsTheRemainderAndRunsBeforeExtraTime() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 4 * MS, false), 0);
            Sdom<String> x = a.admit("x", Qos.extraOnly(10 * MS), 0);
            assertSame(s, a.schedule(0, 0, false, NEVER));
            assertSame(x, a.schedule(1 * MS, 1 * MS, true, 3 * MS), "s blocks; x runs on slack");
            assertEquals(ActivationReason.EXTRA, a.reason());
            assertEquals(2 * MS, a.nextTimerNs(), "end of x's quantum");
            assertSame(x, a.schedule(2 * MS, 1 * MS, false, NEVER), "x's next quantum");
            assertEquals(3 * MS, a.nextTimerNs(), "s's timeout");
            assertSame(s, a.schedule(3 * MS, 1 * MS, false, NEVER));
            assertEquals(SchedState.UNBLOCKED, s.state());
            assertEquals(ActivationReason.REACTIVATED, a.reason());
            assertEquals(3 * MS, s.remainNs());
            assertEquals(6 * MS, a.allocationEndNs());
        }

        @Test
        void shortUnblockedRemainderIsDiscardedAtTheNextPeriod() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 4 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            a.schedule(1 * MS, 1 * MS, true, 9 * MS);
            a.schedule(9 * MS, 0, false, NEVER); // wakes with 3 ms left; runs 1 ms
            a.schedule(10 * MS, 1 * MS, false, NEVER);
            assertEquals(4 * MS, s.remainNs(), "a full slice, not 4 + 2");
            assertEquals(SchedState.RUN, s.state());
        }

        @Test
        void longBlockGetsAFreshSliceAndADeadlineFromTheLatencyHint() throws Exception {
            Sdom<String> hog = a.admit("hog", Qos.of(50 * MS, 40 * MS, false), 0);
            Sdom<String> s = a.admit("s", new Qos(20 * MS, 2 * MS, 1 * MS, false), 0);
            assertSame(s, a.schedule(0, 0, false, NEVER));
            assertSame(hog, a.schedule(1 * MS, 1 * MS, true, 105 * MS));
            // hog runs and refills; s sleeps past several of its periods
            Sdom<String> cur = hog;
            long now = 1 * MS;
            while (now < 105 * MS) {
                long next = Math.min(a.nextTimerNs(), 105 * MS);
                cur = a.schedule(next, cur == null ? 0 : next - now, false, NEVER);
                now = next;
            }
            assertSame(s, cur, "deadline now+1ms beats hog's");
            assertEquals(ActivationReason.REACTIVATED, a.reason());
            assertEquals(106 * MS, s.deadlineNs());
            assertEquals(105 * MS, s.periodStartNs());
            assertEquals(2 * MS, s.remainNs());
        }

        @Test
        void eventWakesABlockedDomainAtTheNextPass() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 4 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            assertNull(a.schedule(1 * MS, 1 * MS, true, NEVER));
            assertEquals(NEVER, a.nextTimerNs(), "blocked without timeout: no refill, no timer");
            assertTrue(a.wake(s));
            assertSame(s, a.schedule(2 * MS, 0, false, NEVER));
            assertEquals(ActivationReason.EVENT, a.reason());
            assertFalse(a.wake(s), "not blocked: nothing to do");
        }

        @Test
        void blockedDomainsAreNotRefilled() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 4 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            a.schedule(1 * MS, 1 * MS, true, NEVER);
            a.schedule(50 * MS, 0, false, NEVER);
            assertEquals(SchedState.BLOCK, s.state());
            assertEquals(0, s.periods());
        }
    }

    @Nested
    class ExtraTime {
        @Test
        void onlyExtraDomainsGetSlackRoundRobinOneQuantumEach() throws Exception {
            Sdom<String> g = a.admit("g", Qos.of(10 * MS, 1 * MS, false), 0);
            Sdom<String> x1 = a.admit("x1", Qos.extraOnly(10 * MS), 0);
            Sdom<String> x2 = a.admit("x2", Qos.of(10 * MS, 1 * MS, true), 0);
            assertSame(g, a.schedule(0, 0, false, NEVER));
            assertSame(x2, a.schedule(1 * MS, 1 * MS, false, NEVER));
            assertEquals(ActivationReason.ALLOCATED, a.reason());
            assertSame(x1, a.schedule(2 * MS, 1 * MS, false, NEVER));
            assertEquals(ActivationReason.EXTRA, a.reason());
            assertEquals(3 * MS, a.allocationEndNs(), "1 ms quantum");
            assertSame(x2, a.schedule(3 * MS, 1 * MS, false, NEVER));
            assertSame(x1, a.schedule(4 * MS, 1 * MS, false, NEVER));
            assertTrue(a.currentIsExtra());
        }

        @Test
        void aQuantumCutShortIsResumed() throws Exception {
            Sdom<String> g = a.admit("g", Qos.of(5 * MS, 1 * MS, false), 0);
            Sdom<String> x1 = a.admit("x1", Qos.extraOnly(10 * MS), 0);
            Sdom<String> x2 = a.admit("x2", Qos.extraOnly(10 * MS), 0);
            a.schedule(0, 0, false, NEVER);
            assertSame(x1, a.schedule(1 * MS, 1 * MS, false, NEVER));
            assertSame(x2, a.schedule(2 * MS, 1 * MS, false, NEVER));
            assertSame(x1, a.schedule(3 * MS, 1 * MS, false, NEVER));
            assertEquals(4 * MS, a.allocationEndNs());
            // g's refill at 5ms; x1 holds the turn until 4ms, x2 then runs 4..5
            assertSame(x2, a.schedule(4 * MS, 1 * MS, false, NEVER));
            assertSame(g, a.schedule(5 * MS, 1 * MS, false, NEVER), "x2 interrupted after 1 ms... quantum used");
            assertSame(x1, a.schedule(6 * MS, 1 * MS, false, NEVER));
            // cut x1 short at 6.4ms with a pass that changes nothing: it keeps its turn
            assertSame(x1, a.schedule(6_400 * US, 400 * US, false, NEVER));
            assertEquals(7 * MS, a.allocationEndNs(), "the rest of its quantum");
        }

        @Test
        void withoutExtraDomainsSlackIsIdle() throws Exception {
            a.admit("g", Qos.of(10 * MS, 1 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            assertNull(a.schedule(1 * MS, 1 * MS, false, NEVER));
        }

        @Test
        void extraFlagChangedAtRunTime() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 1 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            assertNull(a.schedule(1 * MS, 1 * MS, false, NEVER));
            a.setQos(s, Qos.of(10 * MS, 1 * MS, true));
            assertSame(s, a.schedule(2 * MS, 0, false, NEVER));
            assertTrue(a.currentIsExtra());
        }
    }

    @Nested
    class Accounting {
        @Test
        void guaranteedExtraAndPerPeriod() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 2 * MS, true), 0);
            long[] perPeriod = new long[3];
            a.periodListener((sd, from, to, used) -> perPeriod[(int) (from / (10 * MS))] = used);
            IdealLoop.run(a, 30 * MS);
            assertEquals(3, s.periods());
            assertEquals(6 * MS, s.acGuaranteedNs());
            assertEquals(24 * MS, s.acExtraNs());
            assertEquals(2 * MS, perPeriod[0]);
            assertEquals(2 * MS, perPeriod[2]);
            assertEquals(30 * MS, s.acLastPeriodNs());
        }

        @Test
        void qosChangeAppliesFromTheNextPeriodWithoutTouchingDeadlineOrRemain() throws Exception {
            Sdom<String> s = a.admit("s", Qos.of(10 * MS, 2 * MS, false), 0);
            a.schedule(0, 0, false, NEVER);
            a.schedule(1 * MS, 1 * MS, false, NEVER);
            a.setQos(s, Qos.of(20 * MS, 5 * MS, false));
            assertEquals(1 * MS, s.remainNs());
            assertEquals(10 * MS, s.deadlineNs());
            a.schedule(2 * MS, 1 * MS, false, NEVER);
            a.schedule(10 * MS, 0, false, NEVER);
            assertEquals(5 * MS, s.remainNs());
            assertEquals(30 * MS, s.deadlineNs());
        }
    }

    @Nested
    class Transmit {
        final Atropos<String> tx = new Atropos<>(Flavour.TRANSMIT);

        @Test
        void shortBlockDiscardsTheRemainder() throws Exception {
            Sdom<String> c = tx.admit("c", Qos.of(10 * MS, 4 * MS, false), 0);
            tx.schedule(0, 0, false, NEVER);
            tx.schedule(1 * MS, 1 * MS, true, NEVER); // queue empty: idle
            tx.wake(c); // notify: a packet
            assertNull(tx.schedule(2 * MS, 0, false, NEVER), "waits for its next period");
            assertEquals(SchedState.WAIT, c.state());
            assertSame(c, tx.schedule(10 * MS, 0, false, NEVER));
            assertEquals(4 * MS, c.remainNs());
        }

        @Test
        void shortBlockForgivesADebtLikeQosEntry() throws Exception {
            Sdom<String> c = tx.admit("c", Qos.of(10 * MS, 1 * MS, false), 0);
            tx.schedule(0, 0, false, NEVER);
            tx.schedule(1_200 * US, 1_200 * US, true, NEVER); // one frame of 1.2 ms: 200 us in debt, queue empty
            assertEquals(-200 * US, c.remainNs());
            tx.wake(c);
            tx.schedule(2 * MS, 0, false, NEVER);
            assertEquals(0, c.remainNs());
            tx.schedule(10 * MS, 0, false, NEVER);
            assertEquals(1 * MS, c.remainNs(), "a full slice in the next period");
        }

        @Test
        void longBlockStartsAPeriodNow() throws Exception {
            Sdom<String> c = tx.admit("c", new Qos(10 * MS, 4 * MS, 1 * MS, false), 0);
            tx.schedule(0, 0, false, NEVER);
            tx.schedule(1 * MS, 1 * MS, true, NEVER);
            tx.wake(c);
            assertSame(c, tx.schedule(25 * MS, 0, false, NEVER));
            assertEquals(35 * MS, c.deadlineNs(), "now + period, not the latency hint");
        }

        @Test
        void oneClientKeepsExtraTimeFor20ms() throws Exception {
            Sdom<String> c1 = tx.admit("c1", Qos.extraOnly(10 * MS), 0);
            Sdom<String> c2 = tx.admit("c2", Qos.extraOnly(10 * MS), 0);
            long now = 0;
            Sdom<String> cur = tx.schedule(now, 0, false, NEVER);
            assertSame(c1, cur);
            for (int i = 0; i < 16; i++) { // 16 packets of 1.2 ms = 19.2 ms
                now += 1_200 * US;
                assertSame(c1, tx.schedule(now, 1_200 * US, false, NEVER));
            }
            now += 1_200 * US;
            assertSame(c2, tx.schedule(now, 1_200 * US, false, NEVER), "c1 has used its 20 ms");
            assertEquals(17 * 1_200 * US, c1.acExtraNs());
            assertEquals(0, c2.acExtraNs());
        }
    }

    @Test
    void timeMustNotGoBackwards() throws Exception {
        a.admit("s", Qos.of(10 * MS, 1 * MS, false), 0);
        a.schedule(5 * MS, 0, false, NEVER);
        assertThrows(IllegalArgumentException.class, () -> a.schedule(4 * MS, 0, false, NEVER));
    }

    /** The ideal CPU loop for tests that only need the scheduler to run. */
    static final class IdealLoop {
        static void run(Atropos<String> a, long endNs) {
            long now = 0;
            Sdom<String> cur = a.schedule(0, 0, false, NEVER);
            while (now < endNs) {
                long next = Math.min(a.nextTimerNs(), endNs);
                long ran = cur == null ? 0 : next - now;
                now = next;
                cur = a.schedule(now, ran, false, NEVER);
            }
        }
    }
}

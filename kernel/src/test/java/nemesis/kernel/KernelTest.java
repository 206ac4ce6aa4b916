package nemesis.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.ActivationReason;
import nemesis.atropos.Atropos;
import nemesis.atropos.Qos;
import nemesis.kernel.trace.TraceCsv;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KernelTest {
    static final long US = 1_000L;
    static final long MS = 1_000_000L;

    static final Program CARNAGE = ctx -> {
        while (true) {
            ctx.consume(100 * US);
        }
    };

    static Kernel ideal() {
        return new Kernel(new VirtualClock(), MachineProfile.load("ideal"));
    }

    static String traceCsv(Kernel k) {
        StringWriter w = new StringWriter();
        try {
            TraceCsv.write(k.trace(), w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    @Nested
    class Cpu {
        @Test
        void guaranteedSharesAreExactOnAnIdealMachine() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 3 * MS, false), CARNAGE, 0);
            Domain b = k.createDomain("b", "carnage", Qos.of(20 * MS, 4 * MS, true), CARNAGE, 0);
            k.run(1_000 * MS, 100 * MS);
            assertEquals(270 * MS, a.measuredGuaranteedNs());
            assertEquals(0, a.measuredExtraNs());
            assertEquals(180 * MS, b.measuredGuaranteedNs());
            assertEquals(450 * MS, b.measuredExtraNs(), "all the slack");
            assertEquals(0, k.idleNs());
        }

        @Test
        void withoutExtraDomainsTheSlackIsIdle() {
            Kernel k = ideal();
            k.createDomain("a", "carnage", Qos.of(10 * MS, 3 * MS, false), CARNAGE, 0);
            k.run(100 * MS, 0);
            assertEquals(70 * MS, k.idleNs());
        }

        @Test
        void aDomainThatStartsLaterGetsItsPeriodsFromThen() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 3 * MS, false), CARNAGE, 5 * MS);
            k.run(105 * MS, 0);
            assertEquals(5 * MS, a.startedNs());
            assertEquals(30 * MS, a.cpuGuaranteedNs());
            assertTrue(TraceChecks.shortPeriods(k.trace(), a, 0).isEmpty());
        }

        @Test
        void activationCostsAreChargedToTheDomainThatIsSwitchedTo() {
            Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"));
            List<Long> seen = new ArrayList<>();
            Domain a = k.createDomain("a", "probe", Qos.of(10 * MS, 1 * MS, false), ctx -> {
                seen.add(ctx.nowNs());
                ctx.sleepUntil(Kernel.NEVER);
            }, 0);
            k.run(1 * MS, 0);
            assertEquals(List.of(5_000L), seen, "the program starts after the 5 us activation");
            assertEquals(1, a.activations());
        }
    }

    @Nested
    class Blocking {
        @Test
        void timeoutWakesWithReasonReactivated() {
            Kernel k = ideal();
            List<Object> log = new ArrayList<>();
            k.createDomain("s", "sleeper", Qos.of(10 * MS, 1 * MS, false), ctx -> {
                ctx.sleepUntil(3 * MS);
                log.add(ctx.nowNs());
                log.add(ctx.lastActivation());
                ctx.sleepUntil(Kernel.NEVER);
            }, 0);
            k.run(20 * MS, 0);
            assertEquals(List.of(3 * MS, ActivationReason.REACTIVATED), log);
        }

        @Test
        void longBlockComesBackWithItsLatencyHintAheadOfLaterDeadlines() {
            Kernel k = ideal();
            k.createDomain("hog", "carnage", Qos.of(50 * MS, 45 * MS, false), CARNAGE, 0);
            List<Long> served = new ArrayList<>();
            k.createDomain("rt", "rt", new Qos(100 * MS, 2 * MS, 1 * MS, false), ctx -> {
                ctx.sleepUntil(151 * MS); // long block: its period [0,100) is over
                served.add(ctx.nowNs());
                ctx.consume(2 * MS);
                served.add(ctx.nowNs());
                ctx.sleepUntil(Kernel.NEVER);
            }, 0);
            k.run(200 * MS, 0);
            assertEquals(List.of(151 * MS, 153 * MS), served, "runs at once, hog's deadline is 200ms");
        }

        @Test
        void withoutALatencyHintTheWakerWaitsBehindEarlierDeadlines() {
            Kernel k = ideal();
            k.createDomain("hog", "carnage", Qos.of(20 * MS, 18 * MS, false), CARNAGE, 0);
            List<Long> served = new ArrayList<>();
            k.createDomain("rt", "rt", new Qos(100 * MS, 2 * MS, 100 * MS, false), ctx -> {
                ctx.sleepUntil(141 * MS);
                served.add(ctx.nowNs());
                ctx.sleepUntil(Kernel.NEVER);
            }, 0);
            k.run(200 * MS, 0);
            assertEquals(158 * MS, served.get(0), "hog finishes its slice of [140,160) first");
        }

        @Test
        void idleDomainCostsTheOthersNothing() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 1 * MS, true), CARNAGE, 0);
            k.createDomain("i", "idle", Qos.of(10 * MS, 8 * MS, false), ctx -> ctx.sleepUntil(Kernel.NEVER), 0);
            k.run(100 * MS, 0);
            assertEquals(100 * MS, a.cpuGuaranteedNs() + a.cpuExtraNs());
        }
    }

    @Nested
    class Events {
        @Test
        void eventCountsAndSequencerGiveMutualExclusionAmongThreads() {
            Kernel k = ideal();
            List<String> log = new ArrayList<>();
            k.createDomain("d", "threads", Qos.of(10 * MS, 5 * MS, false), ctx -> {
                EventCount turn = ctx.newEventCount("turn");
                Sequencer seq = ctx.newSequencer();
                List<UThread> ts = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    String name = "t" + t;
                    ts.add(ctx.spawn(name, () -> {
                        for (int i = 0; i < 2; i++) {
                            long ticket = seq.ticket();
                            turn.await(ticket);
                            log.add(name + ":in");
                            ctx.consume(1 * MS);
                            ctx.yieldThread();
                            log.add(name + ":out");
                            turn.advance(1);
                        }
                    }));
                }
                for (UThread t : ts) {
                    assertTrue(t.join(Kernel.NEVER));
                }
                log.add("joined");
            }, 0);
            k.run(100 * MS, 0);
            assertEquals(List.of("t0:in", "t0:out", "t1:in", "t1:out", "t2:in", "t2:out",
                    "t0:in", "t0:out", "t1:in", "t1:out", "t2:in", "t2:out", "joined"), log);
        }

        @Test
        void awaitTimesOut() {
            Kernel k = ideal();
            List<Object> log = new ArrayList<>();
            k.createDomain("d", "w", Qos.of(10 * MS, 1 * MS, false), ctx -> {
                EventCount ec = ctx.newEventCount("never");
                log.add(ec.await(1, 4 * MS));
                log.add(ctx.nowNs());
            }, 0);
            k.run(10 * MS, 0);
            assertEquals(List.of(false, 4 * MS), log);
        }

        @Test
        void channelEventIsDeliveredWhenTheSenderIsDescheduled() {
            Kernel k = ideal();
            List<Object> log = new ArrayList<>();
            EventCount[] inbox = new EventCount[1];
            k.createDomain("rx", "rx", Qos.of(10 * MS, 1 * MS, false), ctx -> {
                inbox[0] = ctx.newEventCount("inbox");
                ctx.export("rx.inbox", inbox[0]);
                for (int i = 1; i <= 2; i++) {
                    inbox[0].await(i);
                    log.add("rx woke at " + ctx.nowNs() / US + "us by " + ctx.lastActivation());
                }
            }, 0);
            k.createDomain("tx", "tx", Qos.of(10 * MS, 5 * MS, false), ctx -> {
                EventChannel ch = ctx.connect(ctx.lookup("rx.inbox", EventCount.class));
                ch.send(1);
                log.add("tx sent at " + ctx.nowNs() / US + "us");
                ctx.consume(2 * MS); // still running: rx sees nothing yet
                ctx.sleepUntil(3 * MS); // descheduled: the event goes out
                ch.send(1);
                ctx.yieldCpu();
                log.add("tx back at " + ctx.nowNs() / US + "us");
            }, 1 * US);
            k.run(10 * MS, 0);
            // rx does not see the first event until tx sleeps at 2001us; the second, sent at 3ms, is
            // delivered at tx's yield and rx (earlier deadline) runs before tx comes back.
            assertEquals(List.of("tx sent at 1us", "rx woke at 2001us by EVENT", "rx woke at 3000us by EVENT",
                    "tx back at 3000us"), log);
        }

        @Test
        void eventWakesTheReceiverWhichPreemptsAccordingToItsDeadline() {
            Kernel k = ideal();
            List<Long> woke = new ArrayList<>();
            k.createDomain("rx", "rx", Qos.of(2 * MS, 1 * MS, false), ctx -> {
                EventCount ec = ctx.newEventCount("in");
                ctx.export("in", ec);
                ec.await(1);
                woke.add(ctx.nowNs());
            }, 0);
            k.createDomain("tx", "tx", Qos.of(100 * MS, 40 * MS, false), ctx -> {
                EventChannel ch = ctx.connect(ctx.lookup("in", EventCount.class));
                ctx.consume(5 * MS);
                ch.send(1);
                ctx.yieldCpu();
                ctx.consume(40 * MS);
            }, 0);
            k.run(20 * MS, 0);
            assertEquals(List.of(5 * MS), woke);
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void aDomainThatThrowsIsKilledAndItsShareReturned() {
            Kernel k = ideal();
            Domain good = k.createDomain("good", "carnage", Qos.of(10 * MS, 4 * MS, false), CARNAGE, 0);
            Domain bad = k.createDomain("bad", "crash", Qos.of(10 * MS, 5 * MS, false), ctx -> {
                ctx.consume(7 * MS);
                throw new IllegalStateException("boom");
            }, 0);
            k.run(100 * MS, 0);
            assertEquals(Domain.Status.KILLED, bad.status());
            assertTrue(bad.error().contains("boom"), bad.error());
            assertEquals(40_000_000L * 10, k.admittedPpb(), "only good's 40% remains");
            assertEquals(7 * MS, bad.cpuGuaranteedNs());
            assertTrue(TraceChecks.shortPeriods(k.trace(), good, 0).isEmpty());
            assertEquals(Domain.Status.RUNNING, good.status());
        }

        @Test
        void killAtStopsADomainAndItNeverRunsAgain() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 5 * MS, true), CARNAGE, 0);
            k.killAt(a, 25 * MS, "stopped by the scenario");
            k.run(100 * MS, 0);
            assertEquals(Domain.Status.KILLED, a.status());
            assertEquals(25 * MS, a.endedNs());
            assertEquals(25 * MS, a.cpuGuaranteedNs() + a.cpuExtraNs());
            assertEquals(0, k.admittedPpb());
        }

        @Test
        void qosChangeAtRunTime() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "carnage", Qos.of(10 * MS, 1 * MS, false), CARNAGE, 0);
            k.setQosAt(a, Qos.of(10 * MS, 6 * MS, false), 50 * MS);
            k.run(100 * MS, 0);
            assertEquals(5 * MS + 30 * MS, a.cpuGuaranteedNs());
        }

        @Test
        void programsThatReturnExitAndFreeTheirShare() {
            Kernel k = ideal();
            Domain a = k.createDomain("a", "short", Qos.of(10 * MS, 5 * MS, false), ctx -> ctx.consume(2 * MS), 0);
            k.run(20 * MS, 0);
            assertEquals(Domain.Status.EXITED, a.status());
            assertEquals(2 * MS, a.endedNs());
            assertEquals(0, k.admittedPpb());
        }

        @Test
        void aRefusedDomainNeverRuns() {
            Kernel k = ideal();
            k.createDomain("a", "carnage", Qos.of(10 * MS, 9 * MS, false), CARNAGE, 0);
            Domain b = k.createDomain("b", "carnage", Qos.of(10 * MS, 2 * MS, false), CARNAGE, 0);
            k.run(20 * MS, 0);
            assertEquals(Domain.Status.REJECTED, b.status());
            assertNotNull(b.error());
            assertTrue(b.error().contains("8.0% free"), b.error());
            assertEquals(0, b.cpuGuaranteedNs() + b.cpuExtraNs());
        }

        @Test
        void callsFromOutsideTheEmulatedCpuAreRefused() {
            Kernel k = ideal();
            DomainContext[] leaked = new DomainContext[1];
            k.createDomain("a", "x", Qos.of(10 * MS, 1 * MS, false), ctx -> {
                leaked[0] = ctx;
                ctx.sleepUntil(Kernel.NEVER);
            }, 0);
            k.run(5 * MS, 0);
            assertFalse(leaked[0] == null);
            try {
                leaked[0].consume(1);
                throw new AssertionError("expected a refusal");
            } catch (DomainDeath | IllegalStateException expected) {
                // the run is over
            }
        }
    }

    @Test
    void theWallClockReadsZeroUntilTheRunStarts() throws Exception {
        RealClock c = new RealClock();
        Kernel k = new Kernel(c, MachineProfile.load("ideal"));
        Thread.sleep(5);
        assertEquals(0, c.nowNs(), "setting up is not part of the run");
        k.createDomain("a", "x", Qos.of(10 * MS, 1 * MS, false), ctx -> { }, 0);
        k.run(20 * MS, 0);
        assertTrue(c.nowNs() >= 20 * MS, "it runs from the start of the run");
    }

    @Nested
    class Interrupts {
        private volatile long handled;

        @Test
        void postingInterruptsFromADeviceThreadAllocatesNothingInSteadyState() throws Exception {
            Kernel k = new Kernel(new RealClock(), MachineProfile.load("ideal"));
            Runnable handler = () -> handled++; // only the CPU's holder writes it
            Thread machine = Thread.ofPlatform().start(() -> k.run(1_000 * MS, 0)); // idle but for the interrupts
            try {
                var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long tid = Thread.currentThread().threadId();
                long posted = 0;
                long before = 0;
                for (int batch = 0; batch < 300; batch++) {
                    if (batch == 100) { // warmed up: the queue's chunks, the JIT
                        before = mx.getThreadAllocatedBytes(tid);
                    }
                    for (int i = 0; i < 100; i++) {
                        k.postInterrupt(handler);
                    }
                    posted += 100;
                    while (handled < posted && machine.isAlive()) {
                        Thread.onSpinWait();
                    }
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                assertEquals(posted, handled, "the run ended before the interrupts were handled");
                // a node per post would be 20,000 objects, hundreds of kilobytes
                assertTrue(allocated < 4096, allocated + " bytes allocated for 20,000 posts");
            } finally {
                machine.join();
            }
        }
    }

    @Test
    void tracesAreIdenticalForIdenticalRuns() {
        String first = null;
        for (int i = 0; i < 2; i++) {
            Kernel k = new Kernel(new VirtualClock(), MachineProfile.load("p200-de4x5"), Atropos.DEFAULT_CAP_PPB, 5);
            k.createDomain("a", "carnage", Qos.of(7 * MS, 2 * MS, true), CARNAGE, 0);
            k.createDomain("b", "carnage", Qos.of(13 * MS, 5 * MS, false), CARNAGE, 0);
            k.createDomain("c", "x", Qos.extraOnly(10 * MS), CARNAGE, 0);
            k.run(300 * MS, 0);
            String csv = traceCsv(k);
            if (first == null) {
                first = csv;
            } else {
                assertEquals(first, csv);
            }
        }
    }
}

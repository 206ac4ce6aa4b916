package nemesis.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import nemesis.atropos.ActivationReason;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Atropos;
import nemesis.atropos.Flavour;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;
import nemesis.kernel.trace.ScheduleTrace;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The emulated machine: one CPU shared among domains by {@link Atropos}.
 *
 * <h2>One CPU, many Java threads</h2>
 * Every domain thread is a JDK virtual thread ({@link UThread}), but only the holder of the CPU
 * baton runs; all others are parked. Kernel code runs on whichever thread holds the baton when it
 * enters the kernel: there is no kernel thread and no lock. A scheduling pass ({@link #pass}) runs
 * on the thread that entered the kernel, picks the next domain and its next thread, and hands the
 * baton over ({@code giveBaton} then {@code awaitBaton}).
 *
 * <p>Java cannot preempt a thread, so preemption happens at kernel entry points: every call of a
 * {@link DomainContext}, and inside {@link #consume}, which splits work exactly at the next
 * scheduler timer in virtual time. Kernel operations are charged from the {@link MachineProfile}
 * as a whole: a domain may overrun its allocation by at most one such charge.
 *
 * <h2>Time</h2>
 * Virtual: the clock moves only by CPU consumed and, when nothing can run, by a jump to the next
 * timer, alarm or the end of the run. Given the same inputs a run is bit-for-bit repeatable.
 * Real: the same code; consuming spins, idling parks, and other threads may
 * {@linkplain #postInterrupt post interrupts}.
 */
public final class Kernel {
    public static final long NEVER = Atropos.NEVER;

    private final Clock clock;
    private final VirtualClock vclock;
    private final RealClock rclock;
    private final MachineProfile machine;
    private final Atropos<Domain> atropos;
    private final ScheduleTrace trace = new ScheduleTrace();
    private final List<Domain> domains = new ArrayList<>();
    private final Map<String, Object> names = new HashMap<>();
    private final long seed;

    private final PriorityQueue<Alarm> alarms = new PriorityQueue<>();
    private long alarmSeq;
    // Posted from device threads: a bounded array queue allocates nothing per post (and its atomic
    // flavour needs no sun.misc.Unsafe). A device posts a handler again only once it has run.
    private static final int MAX_PENDING_INTERRUPTS = 1024;
    private final MpscAtomicArrayQueue<Runnable> interrupts = new MpscAtomicArrayQueue<>(MAX_PENDING_INTERRUPTS);
    private volatile boolean interruptPending;
    private volatile Thread idleThread;

    private long warmupNs;
    private long endNs = NEVER;

    // ---- the CPU: touched only by the baton holder
    private Domain current;
    private UThread running;
    private long dispatchedAtNs;
    private ActivationReason currentReason;
    private boolean currentExtra;
    private boolean currentActivated;
    private long nextEventNs = NEVER;
    private boolean reschedule;
    private boolean inPass;
    private long passes;
    private long idleNs;

    private boolean started;
    private boolean finished;
    private volatile boolean shutdown;
    private volatile Throwable failure;
    private final CountDownLatch finishedLatch = new CountDownLatch(1);

    /**
     * A kernel action at a time: domain lifecycle, device events. Runs inside a pass. Pooled,
     * because devices arm one per frame.
     */
    private static final class Alarm implements Comparable<Alarm> {
        long atNs;
        long seq;
        Runnable action;

        @Override
        public int compareTo(Alarm o) {
            int c = Long.compare(atNs, o.atNs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final java.util.ArrayDeque<Alarm> freeAlarms = new java.util.ArrayDeque<>();

    /**
     * @param capPpb the CPU admission cap in parts per billion ({@link Atropos#DEFAULT_CAP_PPB} = 98%)
     */
    public Kernel(Clock clock, MachineProfile machine, long capPpb, long seed) {
        this.clock = clock;
        this.vclock = clock instanceof VirtualClock v ? v : null;
        this.rclock = clock instanceof RealClock r ? r : null;
        this.machine = machine;
        this.atropos = new Atropos<>(Flavour.CPU, capPpb);
        this.atropos.periodListener((sdom, from, to, used) -> trace.periodStarted(sdom.owner().traceId(),
                sdom.periodStartNs()));
        this.seed = seed;
    }

    public Kernel(Clock clock, MachineProfile machine) {
        this(clock, machine, Atropos.DEFAULT_CAP_PPB, 1);
    }

    public Clock clock() {
        return clock;
    }

    public MachineProfile machine() {
        return machine;
    }

    public ScheduleTrace trace() {
        return trace;
    }

    public List<Domain> domains() {
        return Collections.unmodifiableList(domains);
    }

    Map<String, Object> names() {
        return names;
    }

    /**
     * Publishes {@code value} under {@code key} before the run, as a domain would with
     * {@link DomainContext#export} (for what the machine's builder knows: addresses, reservations).
     */
    public void export(String key, Object value) {
        if (started) {
            throw new IllegalStateException("export from a domain once the machine runs");
        }
        names.put(key, value);
    }

    /** The CPU reserved by admitted domains, in parts per billion. */
    public long admittedPpb() {
        return atropos.admittedPpb();
    }

    /** Scheduler passes so far. */
    public long passes() {
        return passes;
    }

    /** Time the CPU spent idle. */
    public long idleNs() {
        return idleNs;
    }

    public long warmupNs() {
        return warmupNs;
    }

    /** Length of the measured window (after the warmup). */
    public long measuredNs() {
        return endNs - warmupNs;
    }

    // ------------------------------------------------------------------------------------------
    // Setting up and running
    // ------------------------------------------------------------------------------------------

    /**
     * Declares a domain that starts at {@code startAtNs} with reservation {@code qos}. Admission is
     * checked when it starts; a refusal leaves it {@link Domain.Status#REJECTED} with the reason.
     * Before the run, or from a domain's thread (then the caller is charged a kernel entry).
     */
    public Domain createDomain(String name, String programName, Qos qos, Program program, long startAtNs) {
        if (started && !finished) {
            checkCaller(null);
        }
        for (Domain d : domains) {
            if (d.name().equals(name)) {
                throw new IllegalArgumentException("a domain called '" + name + "' exists already");
            }
        }
        Domain d = new Domain(this, name, programName, qos, program, startAtNs, seed);
        domains.add(d);
        at(Math.max(startAtNs, started ? clock.nowNs() : 0), () -> startDomain(d));
        return d;
    }

    /** Kills {@code d} at {@code atNs}: its reservation is returned and its threads never run again. */
    public void killAt(Domain d, long atNs, String why) {
        at(atNs, () -> kill(d, why));
    }

    /** Changes the reservation of {@code d} at {@code atNs}; a refusal is recorded as its error. */
    public void setQosAt(Domain d, Qos qos, long atNs) {
        at(atNs, () -> {
            if (!d.isLive()) {
                return;
            }
            try {
                atropos.setQos(d.sdom, qos);
                d.qos = qos;
            } catch (AdmissionException e) {
                d.stats().add("qos_changes_refused", 1);
            }
        });
    }

    /**
     * Runs {@code action} inside the scheduler at time {@code atNs} (devices, lifecycle). The
     * action runs on the baton holder's thread and must not block.
     */
    public void at(long atNs, Runnable action) {
        Alarm a = freeAlarms.poll();
        if (a == null) {
            a = new Alarm();
        }
        a.atNs = atNs;
        a.seq = alarmSeq++;
        a.action = action;
        alarms.add(a);
        if (atNs < nextEventNs) {
            nextEventNs = atNs;
        }
    }

    /**
     * From any thread (a device's, in real time): runs {@code handler} inside the scheduler as
     * soon as the CPU next enters the kernel, waking it if idle. A device posts a handler again
     * only after it has run, so at most {@value #MAX_PENDING_INTERRUPTS} are ever pending.
     */
    public void postInterrupt(Runnable handler) {
        if (!interrupts.offer(handler)) {
            throw new IllegalStateException(MAX_PENDING_INTERRUPTS + " interrupts pending: a device posts faster than the CPU takes them");
        }
        interruptPending = true;
        Thread idle = idleThread;
        if (idle != null) {
            LockSupport.unpark(idle);
        }
    }

    /**
     * Runs the machine until {@code durationNs} of emulated time have passed. Figures after
     * {@code warmupNs} are the measured ones. Returns when the run is over and every domain thread
     * has been unwound.
     */
    public void run(long durationNs, long warmupNs) {
        if (started) {
            throw new IllegalStateException("a kernel runs once");
        }
        if (durationNs <= 0 || warmupNs < 0 || warmupNs >= durationNs) {
            throw new IllegalArgumentException("need 0 <= warmup < duration: " + warmupNs + ", " + durationNs);
        }
        started = true;
        if (rclock != null) {
            rclock.restart();
        }
        this.endNs = durationNs;
        this.warmupNs = warmupNs;
        UThread first = pass(false);
        if (first != null) {
            first.giveBaton();
            try {
                finishedLatch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the emulated machine ran", e);
            }
        }
        unwindThreads();
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("kernel failure: " + f, f);
        }
    }

    private void unwindThreads() {
        shutdown = true;
        for (Domain d : domains) {
            for (UThread u : d.threads) {
                if (!u.thread.isAlive()) {
                    continue;
                }
                u.dying = true;
                u.giveBaton();
                try {
                    if (!u.thread.join(java.time.Duration.ofSeconds(2))) {
                        System.err.println("warning: thread " + u + " did not unwind (does it catch Throwable?)");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Kernel entry points (called by domain threads)
    // ------------------------------------------------------------------------------------------

    /** Checks the caller holds the CPU (and belongs to {@code d}, if given). */
    void checkCaller(Domain d) {
        if (shutdown || finished) {
            throw DomainDeath.INSTANCE;
        }
        UThread u = running;
        if (u == null || u.thread != Thread.currentThread()) {
            throw new IllegalStateException("called from " + Thread.currentThread()
                    + ", which does not hold the emulated CPU");
        }
        if (d != null && u.domain != d) {
            throw new IllegalStateException(u + " called into domain " + d.name());
        }
    }

    void consume(Domain d, long ns) {
        checkCaller(d);
        if (ns < 0) {
            throw new IllegalArgumentException("cannot consume negative time: " + ns);
        }
        long remaining = ns;
        // Work that ends exactly at a timer returns first: the timer is taken at the next kernel
        // entry (in virtual time no time passes in between), so programs see when work completed.
        if (vclock != null) {
            while (true) {
                if (reschedule) {
                    preempt();
                }
                long now = vclock.nowNs();
                long target = now + remaining;
                if (target <= nextEventNs) {
                    vclock.advanceTo(target);
                    return;
                }
                long stop = Math.max(now, nextEventNs);
                vclock.advanceTo(stop);
                remaining = target - stop;
                preempt();
            }
        }
        while (true) {
            if (mustPreempt()) {
                preempt();
            }
            long now = rclock.nowNs();
            long target = realTarget(d, now, remaining);
            long reached = rclock.spinUntil(Math.min(target, nextEventNs), preemptCheck);
            realMark = reached;
            remaining = Math.max(0, target - reached);
            if (remaining == 0) {
                return;
            }
            preempt();
        }
    }

    /**
     * On the wall clock, when a cost of {@code ns} charged to {@code d} ends: the real time the
     * emulator's own Java code took for {@code d} and has not been covered by a charge yet (since
     * the end of the last charge, and left over from earlier dispatches) counts toward it, and only
     * the rest is spun. So a domain's CPU time is its modelled costs, as in virtual time, as long as
     * the emulator itself is faster than the model; where it is slower, the excess shows.
     */
    private long realTarget(Domain d, long now, long ns) {
        long credit = now - realMark;
        if (d != null) {
            credit += d.realUncharged;
            d.realUncharged = Math.max(0, credit - ns);
        }
        return now + Math.max(0, ns - credit);
    }

    private final java.util.function.BooleanSupplier preemptCheck = this::mustPreempt;
    /** Real clock: where the next cost starts (the end of the last one, or the dispatch). Baton holder only. */
    private long realMark;

    private boolean mustPreempt() {
        return reschedule || interruptPending;
    }

    /** Charges a kernel operation as a whole (it may overrun the allocation by this much). */
    private void charge(long ns) {
        if (ns <= 0) {
            return;
        }
        if (vclock != null) {
            vclock.advanceTo(vclock.nowNs() + ns);
        } else {
            realMark = rclock.spinUntil(realTarget(current, rclock.nowNs(), ns), () -> false);
        }
    }

    /** The end of a kernel entry: preempt if a timer expired or something asked for a pass. */
    private void exitKernel() {
        if (reschedule || interruptPending || clock.nowNs() >= nextEventNs) {
            preempt();
        }
    }

    private void preempt() {
        UThread self = running;
        UThread next = pass(false);
        switchTo(self, next);
    }

    /** Hands the CPU to {@code next} and waits to get it back. */
    private void switchTo(UThread self, UThread next) {
        if (next == self) {
            return;
        }
        if (next != null) {
            next.giveBaton();
        }
        self.awaitBaton();
    }

    boolean await(Domain d, EventCount ec, long target, long untilNs) {
        checkCaller(d);
        if (ec != null && ec.value >= target) {
            return true;
        }
        if (untilNs <= clock.nowNs()) {
            return false;
        }
        UThread self = running;
        d.beginWait(self, ec, target, untilNs);
        UThread next = d.pollReady(clock.nowNs());
        if (next != null) {
            next = switchWithinDomain(d, next);
        } else {
            charge(machine.kernelEntryNs);
            next = pass(true);
        }
        switchTo(self, next);
        return self.waitSatisfied;
    }

    void yieldCpu(Domain d) {
        checkCaller(d);
        charge(machine.kernelEntryNs);
        preempt();
    }

    void yieldThread(Domain d) {
        checkCaller(d);
        UThread self = running;
        UThread next = d.pollReady(clock.nowNs());
        if (next == null) {
            exitKernel();
            return;
        }
        self.state = UThread.State.READY;
        d.ready.add(self);
        switchTo(self, switchWithinDomain(d, next));
    }

    /**
     * The user-level scheduler of {@code d} hands its share of the CPU to {@code next}, another of
     * its threads, without a kernel pass, unless the switch's cost ran into a timer or something
     * asked for a pass. Returns the thread that runs next.
     */
    private UThread switchWithinDomain(Domain d, UThread next) {
        charge(machine.threadSwitchNs);
        next.state = UThread.State.RUNNING;
        d.running = next;
        running = next;
        if (reschedule || interruptPending || clock.nowNs() >= nextEventNs) {
            return pass(false);
        }
        return next;
    }

    void send(EventChannel ch, long n) {
        Domain d = ch.from;
        checkCaller(d);
        if (n < 0) {
            throw new IllegalArgumentException("event counts only grow: " + n);
        }
        charge(machine.kernelEntryNs + machine.eventSendNs);
        if (d.outCount == Domain.OUT_EVENTS) {
            flushOutEvents(d);
        }
        d.outTo[d.outCount] = ch.to;
        d.outN[d.outCount] = n;
        d.outCount++;
        exitKernel();
    }

    void setQos(Domain d, Qos qos) throws AdmissionException {
        charge(machine.kernelEntryNs);
        atropos.setQos(d.sdom, qos);
        d.qos = qos;
        reschedule = true;
        exitKernel();
    }

    // ------------------------------------------------------------------------------------------
    // Thread bodies, exits and crashes
    // ------------------------------------------------------------------------------------------

    void threadBody(UThread self, Runnable body) {
        try {
            self.awaitBaton();
        } catch (DomainDeath death) {
            return;
        }
        try {
            body.run();
        } catch (DomainDeath death) {
            return;
        } catch (Throwable t) {
            if (shutdown || finished) {
                return;
            }
            crashed(self, t);
            return;
        }
        if (shutdown || finished) {
            return;
        }
        exited(self);
    }

    private void exited(UThread self) {
        Domain d = self.domain;
        self.state = UThread.State.DONE;
        self.done.bump(1);
        if (d.running == self) {
            d.running = null;
        }
        UThread next = null;
        boolean anyLeft = false;
        for (UThread u : d.threads) {
            anyLeft |= u.state != UThread.State.DONE;
        }
        if (!anyLeft) {
            d.ended(Domain.Status.EXITED, null, clock.nowNs());
            atropos.remove(d.sdom);
            tellEnd(d);
            next = pass(false);
        } else {
            next = d.pollReady(clock.nowNs());
            next = next != null ? switchWithinDomain(d, next) : pass(true);
        }
        if (next != null && next != self) {
            next.giveBaton();
        }
    }

    private void crashed(UThread self, Throwable t) {
        Domain d = self.domain;
        self.state = UThread.State.DONE;
        kill(d, describe(t));
        UThread next = pass(false);
        if (next != null) {
            next.giveBaton();
        }
    }

    private static String describe(Throwable t) {
        Throwable root = t instanceof Domain.ProgramException && t.getCause() != null ? t.getCause() : t;
        StringBuilder s = new StringBuilder(root.toString());
        StackTraceElement[] st = root.getStackTrace();
        if (st.length > 0) {
            s.append(" at ").append(st[0]);
        }
        return s.toString();
    }

    /** Kills a domain: its reservation goes back to the pool; its threads never run again. */
    private void kill(Domain d, String why) {
        if (d.status == Domain.Status.CREATED) {
            d.ended(Domain.Status.KILLED, why, clock.nowNs());
            return;
        }
        if (!d.isLive()) {
            return;
        }
        d.ended(Domain.Status.KILLED, why, clock.nowNs());
        atropos.remove(d.sdom);
        d.abandonThreads();
        d.outCount = 0;
        reschedule = true;
        tellEnd(d);
    }

    private void tellEnd(Domain d) {
        for (EventCount ec : d.endWatchers) {
            deliver(ec, 1);
        }
        d.endWatchers.clear();
    }

    /** Advances {@code ec} from kernel code that may or may not be inside a pass. */
    void signalFromAnywhere(EventCount ec) {
        deliver(ec, 1);
    }

    private void startDomain(Domain d) {
        if (d.status != Domain.Status.CREATED) {
            return;
        }
        try {
            d.sdom = atropos.admit(d, d.qos, clock.nowNs());
        } catch (AdmissionException e) {
            d.refuse(e.getMessage());
            return;
        }
        trace.periodStarted(d.traceId(), clock.nowNs());
        d.start(clock.nowNs());
        reschedule = true;
    }

    // ------------------------------------------------------------------------------------------
    // The scheduling pass
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the scheduler on the calling thread, which holds the baton. Accounts the time the
     * current domain ran, delivers its deferred events, runs due alarms and interrupts, lets
     * Atropos choose, idles if nothing can run, and returns the thread to run next: null when the
     * run is over.
     *
     * @param block whether the current domain asks to block (it has no thread that can run)
     */
    private UThread pass(boolean block) {
        if (inPass) {
            throw new IllegalStateException("scheduler re-entered");
        }
        inPass = true;
        try {
            return passInner(block);
        } catch (Throwable t) {
            failure = t;
            finish(clock.nowNs());
            return null;
        } finally {
            inPass = false;
        }
    }

    private UThread passInner(boolean block) {
        passes++;
        long now = clock.nowNs();
        Domain prev = current;
        long ran = 0;
        if (prev != null) {
            if (rclock != null) {
                prev.realUncharged += now - realMark; // its Java code after its last charge
            }
            ran = now - dispatchedAtNs;
            account(prev, dispatchedAtNs, now);
            flushOutEvents(prev);
        }
        current = null;
        running = null;
        runDueEvents(now);
        boolean blockPrev = block && prev != null && prev.isLive() && !prev.hasReady();
        long wakeAt = blockPrev ? prev.earliestTimeoutNs() : NEVER;
        Sdom<Domain> s = atropos.schedule(now, ran, blockPrev, wakeAt);
        while (true) {
            if (now >= endNs) {
                finish(now);
                return null;
            }
            if (s == null) {
                long until = Math.min(atropos.nextTimerNs(), Math.min(nextAlarmNs(), endNs));
                long idleFrom = now;
                now = idle(until);
                idleNs += now - idleFrom;
                runDueEvents(now);
                s = atropos.schedule(now, 0, false, NEVER);
                continue;
            }
            Domain d = s.owner();
            UThread u = d.activate(now);
            if (u == null) {
                // Woken, but none of its threads can run (the event satisfied nobody): block again.
                s = atropos.schedule(now, 0, true, d.earliestTimeoutNs());
                continue;
            }
            boolean switched = d != prev || blockPrev;
            current = d;
            running = u;
            dispatchedAtNs = now;
            realMark = now;
            currentReason = atropos.reason();
            currentExtra = atropos.currentIsExtra();
            currentActivated = switched;
            d.lastActivation = currentReason;
            if (switched) {
                d.activations++;
                charge(machine.activationNs);
            }
            nextEventNs = Math.min(atropos.nextTimerNs(), Math.min(nextAlarmNs(), endNs));
            reschedule = false;
            return u;
        }
    }

    private long idle(long untilNs) {
        if (vclock != null) {
            if (untilNs == NEVER) {
                throw new IllegalStateException("nothing can ever run again: no timer, alarm or end");
            }
            vclock.advanceTo(untilNs);
            return untilNs;
        }
        idleThread = Thread.currentThread();
        try {
            return rclock.idleUntil(untilNs, () -> interruptPending);
        } finally {
            idleThread = null;
        }
    }

    private long nextAlarmNs() {
        Alarm a = alarms.peek();
        return a == null ? NEVER : a.atNs;
    }

    private void runDueEvents(long now) {
        Alarm a;
        while ((a = alarms.peek()) != null && a.atNs <= now) {
            alarms.poll();
            Runnable action = a.action;
            a.action = null;
            freeAlarms.add(a);
            action.run();
        }
        if (interruptPending) {
            interruptPending = false;
            Runnable r;
            while ((r = interrupts.poll()) != null) {
                r.run();
            }
        }
    }

    /** Delivers the events {@code d} sent since it was last descheduled. */
    private void flushOutEvents(Domain d) {
        for (int i = 0; i < d.outCount; i++) {
            deliver(d.outTo[i], d.outN[i]);
            d.outTo[i] = null;
        }
        d.outCount = 0;
    }

    /** Advances an event count of {@code ec.owner} on behalf of another domain or a device. */
    void deliver(EventCount ec, long n) {
        Domain o = ec.owner;
        if (!o.isLive()) {
            return;
        }
        ec.bump(n);
        o.anyEvent.bump(1);
        if (o.hasReady() && atropos.wake(o.sdom)) {
            reschedule = true;
        }
    }

    /**
     * Advances {@code ec} from kernel context (an alarm or interrupt handler of a device): the
     * owning domain is woken if it was blocked waiting for it.
     */
    public void signal(EventCount ec, long n) {
        if (!inPass) {
            throw new IllegalStateException("signal() is for alarm and interrupt handlers");
        }
        deliver(ec, n);
    }

    private void account(Domain d, long from, long to) {
        to = Math.min(to, endNs);
        trace.record(d.traceId, from, to, currentReason, currentExtra, currentActivated);
        currentActivated = false;
        long measured = Math.max(0, to - Math.max(from, warmupNs));
        if (currentExtra) {
            d.cpuExtraNs += to - from;
            d.measuredExtraNs += measured;
        } else {
            d.cpuGuaranteedNs += to - from;
            d.measuredGuaranteedNs += measured;
        }
    }

    private void finish(long now) {
        if (!finished) {
            finished = true;
            current = null;
            running = null;
            trace.endOfRun(Math.min(now, endNs));
            finishedLatch.countDown();
        }
    }

    /** Waits up to {@code timeout} for the run to end (for callers that watch progress). */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finishedLatch.await(timeout, unit);
    }

    /** The emulated time now, safe to read from any thread (for progress reports). */
    public long progressNs() {
        return clock.nowNs();
    }
}

package nemesis.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import nemesis.atropos.ActivationReason;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;
import nemesis.atropos.Sdom;

/**
 * A domain: the control block the kernel keeps, and (as {@link DomainContext}) the system as its
 * program sees it.
 *
 * <p>Each domain has its own user-level scheduler: a FIFO of ready threads, run without preemption
 * among themselves (a thread runs until it blocks, yields or ends; the kernel may preempt the
 * domain as a whole at any kernel entry). When no thread of the domain can run, the domain blocks
 * in the kernel until the earliest timeout of its waiting threads or an event.
 */
public final class Domain implements DomainContext {
    public enum Status { CREATED, RUNNING, EXITED, KILLED, REJECTED }

    final Kernel kernel;
    private final String name;
    private final String programName;
    private final Program program;
    final int traceId;
    Qos qos;
    Sdom<Domain> sdom;
    Status status = Status.CREATED;
    private String error;
    private final long startAtNs;
    private long startedNs = -1;
    private long endedNs = -1;

    // ---- user-level scheduler: touched only by the baton holder
    final List<UThread> threads = new ArrayList<>();
    final ArrayDeque<UThread> ready = new ArrayDeque<>();
    final ArrayList<UThread> waiting = new ArrayList<>();
    /** The thread that holds (or, when preempted, will resume) the domain's share of the CPU. */
    UThread running;
    private int threadSeq;
    final EventCount anyEvent;
    private long anyEventSeen;

    // ---- deferred outgoing events (Nemesis/x86 delivers them when the sender is descheduled)
    static final int OUT_EVENTS = 64;
    final EventCount[] outTo = new EventCount[OUT_EVENTS];
    final long[] outN = new long[OUT_EVENTS];
    int outCount;

    // ---- accounting (kernel): CPU received, split by mode, over the whole run and after warmup
    long cpuGuaranteedNs;
    long cpuExtraNs;
    long measuredGuaranteedNs;
    long measuredExtraNs;
    long activations;
    /**
     * Real clock: wall time this domain has used beyond the costs charged so far (the emulator's own
     * Java code, hand-overs); its next charges are covered by it before any spinning.
     */
    long realUncharged;
    ActivationReason lastActivation;

    final List<EventCount> endWatchers = new ArrayList<>(1);
    private final DomainStats stats = new DomainStats();
    private final RandomGenerator random;

    Domain(Kernel kernel, String name, String programName, Qos qos, Program program, long startAtNs, long seed) {
        this.kernel = kernel;
        this.name = name;
        this.programName = programName;
        this.qos = qos;
        this.program = program;
        this.startAtNs = startAtNs;
        this.traceId = kernel.trace().addDomain(name, programName);
        this.anyEvent = new EventCount(this, "any");
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    // ------------------------------------------------------------------------------------------
    // Read by the owner of the run (results)
    // ------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    public String programName() {
        return programName;
    }

    public Status status() {
        return status;
    }

    /** Why the domain was killed or refused, or null. */
    public String error() {
        return error;
    }

    public long startAtNs() {
        return startAtNs;
    }

    /** When it started, -1 if it never did. */
    public long startedNs() {
        return startedNs;
    }

    /** When it exited or was killed, -1 if it did not. */
    public long endedNs() {
        return endedNs;
    }

    /** Guaranteed CPU received after the warmup. */
    public long measuredGuaranteedNs() {
        return measuredGuaranteedNs;
    }

    /** Extra CPU received after the warmup. */
    public long measuredExtraNs() {
        return measuredExtraNs;
    }

    /** All guaranteed CPU received. */
    public long cpuGuaranteedNs() {
        return cpuGuaranteedNs;
    }

    /** All extra CPU received. */
    public long cpuExtraNs() {
        return cpuExtraNs;
    }

    /** Context switches to this domain. */
    public long activations() {
        return activations;
    }

    /** Slices finished after their deadline: the scheduler could not keep this domain's guarantee. */
    public long lateSlices() {
        return sdom == null ? 0 : sdom.lateSlices();
    }

    /** Periods that ended. */
    public long periods() {
        return sdom == null ? 0 : sdom.periods();
    }

    public int traceId() {
        return traceId;
    }

    // ------------------------------------------------------------------------------------------
    // DomainContext: the program's view
    // ------------------------------------------------------------------------------------------

    @Override
    public long nowNs() {
        return kernel.clock().nowNs();
    }

    @Override
    public long warmupEndNs() {
        return kernel.warmupNs();
    }

    @Override
    public boolean virtualTime() {
        return kernel.clock().isVirtual();
    }

    @Override
    public void consume(long ns) {
        kernel.consume(this, ns);
    }

    @Override
    public boolean block(long untilNs) {
        kernel.checkCaller(this);
        long seen = anyEventSeen;
        boolean woke = anyEvent.read() > seen || anyEvent.await(seen + 1, untilNs);
        anyEventSeen = anyEvent.read();
        return woke;
    }

    @Override
    public void sleepUntil(long untilNs) {
        kernel.checkCaller(this);
        kernel.await(this, null, 1, untilNs);
    }

    @Override
    public void yieldCpu() {
        kernel.yieldCpu(this);
    }

    @Override
    public void yieldThread() {
        kernel.yieldThread(this);
    }

    @Override
    public UThread spawn(String threadName, Runnable body) {
        kernel.checkCaller(this);
        return newThread(threadName, body);
    }

    @Override
    public EventCount newEventCount(String countName) {
        return new EventCount(this, countName);
    }

    @Override
    public EventQueue newEventQueue(String queueName) {
        return new EventQueue(this, queueName);
    }

    @Override
    public Mutex newMutex(String mutexName) {
        return new Mutex(this, mutexName);
    }

    @Override
    public Sequencer newSequencer() {
        return new Sequencer(this);
    }

    @Override
    public EventChannel connect(EventCount remote) {
        if (remote.owner == this) {
            throw new IllegalArgumentException("an event channel joins two domains; " + remote + " is this domain's own");
        }
        return new EventChannel(this, remote);
    }

    @Override
    public ActivationReason lastActivation() {
        return lastActivation;
    }

    @Override
    public Qos qos() {
        return qos;
    }

    @Override
    public void setQos(Qos newQos) throws AdmissionException {
        kernel.checkCaller(this);
        kernel.setQos(this, newQos);
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public DomainStats stats() {
        return stats;
    }

    @Override
    public void export(String key, Object value) {
        kernel.checkCaller(this);
        kernel.names().put(key, value);
    }

    @Override
    public <T> T lookup(String key, Class<T> type) {
        kernel.checkCaller(this);
        return type.cast(kernel.names().get(key));
    }

    @Override
    public void whenEnded(EventCount notify) {
        if (status == Status.EXITED || status == Status.KILLED) {
            kernel.signalFromAnywhere(notify);
        } else {
            endWatchers.add(notify);
        }
    }

    @Override
    public MachineProfile machine() {
        return kernel.machine();
    }

    // ------------------------------------------------------------------------------------------
    // Kernel side
    // ------------------------------------------------------------------------------------------

    boolean isLive() {
        return status == Status.RUNNING;
    }

    List<UThread> threads() {
        return Collections.unmodifiableList(threads);
    }

    void start(long nowNs) {
        status = Status.RUNNING;
        startedNs = nowNs;
        newThread("main", () -> {
            try {
                program.run(this);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new ProgramException(e);
            }
        });
    }

    void refuse(String why) {
        status = Status.REJECTED;
        error = why;
    }

    private UThread newThread(String threadName, Runnable body) {
        UThread[] self = new UThread[1];
        UThread u = new UThread(this, threadName.isEmpty() ? "t" + threadSeq : threadName,
                () -> kernel.threadBody(self[0], body));
        self[0] = u;
        threadSeq++;
        threads.add(u);
        ready.add(u);
        u.thread.start();
        return u;
    }

    /**
     * The activation handler: readies threads whose waits timed out, then picks the thread to run:
     * the one that was preempted if any, else the first ready one. Null if none can run.
     */
    UThread activate(long nowNs) {
        expireTimeouts(nowNs);
        if (running == null) {
            running = ready.poll();
        }
        if (running != null) {
            running.state = UThread.State.RUNNING;
        }
        return running;
    }

    /** The next ready thread (after expiring timeouts), or null. */
    UThread pollReady(long nowNs) {
        expireTimeouts(nowNs);
        return ready.poll();
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    private void expireTimeouts(long nowNs) {
        for (int i = waiting.size() - 1; i >= 0; i--) {
            UThread u = waiting.get(i);
            if (u.waitUntilNs <= nowNs) {
                endWait(u, false);
            }
        }
    }

    /** When the domain must be woken if no event comes: the earliest timeout of its waiting threads. */
    long earliestTimeoutNs() {
        long t = Kernel.NEVER;
        for (int i = 0; i < waiting.size(); i++) {
            t = Math.min(t, waiting.get(i).waitUntilNs);
        }
        return t;
    }

    void beginWait(UThread u, EventCount ec, long target, long untilNs) {
        u.state = UThread.State.WAITING;
        u.waitCount = ec;
        u.waitTarget = target;
        u.waitUntilNs = untilNs;
        u.waitSatisfied = false;
        if (ec != null) {
            ec.waiters.add(u);
        }
        waiting.add(u);
        if (running == u) {
            running = null;
        }
    }

    void endWait(UThread u, boolean satisfied) {
        if (u.waitCount != null) {
            u.waitCount.waiters.remove(u);
            u.waitCount = null;
        }
        waiting.remove(u);
        u.waitSatisfied = satisfied;
        u.waitUntilNs = Kernel.NEVER;
        u.state = UThread.State.READY;
        ready.add(u);
    }

    /** Marks every thread to unwind and forgets all scheduling state. */
    void abandonThreads() {
        for (UThread u : threads) {
            if (u.state != UThread.State.DONE) {
                u.dying = true;
            }
            if (u.waitCount != null) {
                u.waitCount.waiters.remove(u);
                u.waitCount = null;
            }
        }
        ready.clear();
        waiting.clear();
        running = null;
    }

    void ended(Status how, String why, long nowNs) {
        status = how;
        if (why != null && error == null) {
            error = why;
        }
        endedNs = nowNs;
    }

    @Override
    public String toString() {
        return name;
    }

    /** A checked exception thrown by a program, carried out of its thread. */
    static final class ProgramException extends RuntimeException {
        ProgramException(Exception cause) {
            super(cause);
        }
    }
}

package nemesis.kernel;

import java.util.random.RandomGenerator;
import nemesis.atropos.ActivationReason;
import nemesis.atropos.AdmissionException;
import nemesis.atropos.Qos;

/**
 * What a program running in a domain sees of the system. Every method must be called from one of
 * the domain's own threads. Blocking calls block the calling thread only; the domain blocks in
 * the kernel when none of its threads can run.
 */
public interface DomainContext {

    String name();

    /** The time now: emulated nanoseconds since the start of the run. */
    long nowNs();

    /** When the measured window begins (figures before it are warmup). */
    long warmupEndNs();

    /** Whether time is virtual (deterministic) rather than the wall clock. */
    boolean virtualTime();

    /**
     * Does {@code ns} of CPU work. The domain may be preempted in the middle; the call returns once
     * all of it has been done, which may be much later.
     */
    void consume(long ns);

    /**
     * Blocks the calling thread until an event arrives for this domain on any channel, or until
     * {@code untilNs}. Returns at once if one arrived since the last call.
     *
     * @return true if woken by an event, false on timeout
     */
    boolean block(long untilNs);

    /** Blocks the calling thread until {@code untilNs}. */
    void sleepUntil(long untilNs);

    /** Gives the CPU back to the kernel, which reschedules (possibly this domain again). */
    void yieldCpu();

    /** Lets another ready thread of this domain run; this one goes to the back of the queue. */
    void yieldThread();

    /** Starts another thread in this domain. It first runs when the domain's scheduler picks it. */
    UThread spawn(String threadName, Runnable body);

    EventCount newEventCount(String countName);

    Sequencer newSequencer();

    /** A lock for this domain's threads. */
    Mutex newMutex(String mutexName);

    /** A queue of this domain's event counts that have moved, for a thread that serves many. */
    EventQueue newEventQueue(String queueName);

    /** A channel from this domain that advances {@code remote}, an event count of another domain. */
    EventChannel connect(EventCount remote);

    /** Why the domain was last activated. */
    ActivationReason lastActivation();

    Qos qos();

    /** Changes this domain's CPU reservation (admission-checked). */
    void setQos(Qos qos) throws AdmissionException;

    /** A random generator seeded from the run's seed and the domain's name. */
    RandomGenerator random();

    /** Named figures the program reports (in the results JSON under the domain's "stats"). */
    DomainStats stats();

    /** Publishes {@code value} under {@code key} for other domains to {@linkplain #lookup find}. */
    void export(String key, Object value);

    /** What another domain {@linkplain #export published} under {@code key}, or null. */
    <T> T lookup(String key, Class<T> type);

    /**
     * Asks to be told when this domain ends (exits or is killed): {@code notify}, an event count of
     * the asking domain, advances by one then. A trusted domain (the flow manager) uses it to clean
     * up after its clients. May be called on another domain's context.
     */
    void whenEnded(EventCount notify);

    /** The machine profile: the CPU cost of operations. */
    MachineProfile machine();
}

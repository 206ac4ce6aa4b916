package nemesis.atropos;

/**
 * Why a domain was given the processor, as Nemesis tells the domain's activation handler.
 *
 * <p>The scheduler itself decides between {@link #ALLOCATED}, {@link #PREEMPTED} and {@link #EXTRA};
 * the kernel reports {@link #EVENT} or {@link #REACTIVATED} instead for the first activation after a
 * domain was woken by an event or by its block timeout.
 */
public enum ActivationReason {
    /** A new period (and slice) began since the domain last ran. */
    ALLOCATED,
    /** It resumes contracted time in the same period after being preempted. */
    PREEMPTED,
    /** It runs on time nobody reserved. */
    EXTRA,
    /** It was blocked and an event woke it. */
    EVENT,
    /** It was blocked and its timeout expired. */
    REACTIVATED
}

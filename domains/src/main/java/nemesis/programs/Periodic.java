package nemesis.programs;

import java.util.List;
import nemesis.kernel.DomainContext;
import nemesis.kernel.DomainStats;
import nemesis.kernel.Program;

/**
 * A periodic real-time task, like rt-app: released every {@code every}, it does {@code work} of
 * CPU and must finish within {@code deadline} of its release (by default, before its next
 * release). It records, for releases in the
 * measured window: how many, how many missed their deadline, the worst lateness and the least
 * slack (deadline minus completion; negative when late).
 *
 * <p>A job that finishes after the next release makes that release start at once (no job is
 * skipped), so an overloaded task falls further behind and its lateness shows it.
 */
public final class Periodic implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("periodic",
            "does `work` of CPU every `every` and records lateness and missed deadlines",
            List.of(ArgSpec.required("work", ArgType.DURATION, "CPU needed per release"),
                    ArgSpec.required("every", ArgType.DURATION, "release period"),
                    ArgSpec.optional("deadline", ArgType.DURATION, null,
                            "time after each release by which the work must be done (default: every)")),
            args -> new Periodic(args.getLong("work"), args.getLong("every"),
                    args.getLong("deadline", args.getLong("every"))));

    private final long workNs;
    private final long everyNs;
    private final long deadlineNs;

    public Periodic(long workNs, long everyNs, long deadlineNs) {
        if (workNs <= 0 || everyNs <= 0 || deadlineNs <= 0) {
            throw new IllegalArgumentException("work, every and deadline must be > 0: " + workNs + ", "
                    + everyNs + ", " + deadlineNs);
        }
        this.workNs = workNs;
        this.everyNs = everyNs;
        this.deadlineNs = deadlineNs;
    }

    @Override
    public void run(DomainContext ctx) {
        DomainStats st = ctx.stats();
        st.set("releases", 0L);
        st.set("missed", 0L);
        st.set("max_lateness_ns", 0L);
        st.set("min_slack_ns", 0L);
        st.set("mean_response_ns", 0L);
        long responseSum = 0;
        long measured = 0;
        long minSlack = Long.MAX_VALUE;
        long maxLateness = 0;
        long release = ctx.nowNs();
        while (true) {
            ctx.consume(workNs);
            long done = ctx.nowNs();
            long deadline = release + deadlineNs;
            if (release >= ctx.warmupEndNs()) {
                measured++;
                long slack = deadline - done;
                responseSum += done - release;
                minSlack = Math.min(minSlack, slack);
                maxLateness = Math.max(maxLateness, -slack);
                st.set("releases", measured);
                if (slack < 0) {
                    st.add("missed", 1);
                }
                st.set("max_lateness_ns", maxLateness);
                st.set("min_slack_ns", minSlack);
                st.set("mean_response_ns", responseSum / measured);
            }
            release += everyNs;
            if (release > done) {
                ctx.sleepUntil(release);
            }
        }
    }
}

package nemesis.programs;

import nemesis.kernel.DomainContext;
import nemesis.kernel.Program;

/**
 * Uses all the CPU it is given, in small steps (the release's {@code app/carnage}). Each step is a
 * kernel entry point, so a smaller step means finer preemption in real time; in virtual time work
 * is split exactly at scheduler timers whatever the step.
 */
public final class Carnage implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("carnage",
            "uses every bit of CPU it is given",
            java.util.List.of(ArgSpec.optional("step", ArgType.DURATION, 100_000L, "CPU consumed per kernel entry")),
            args -> new Carnage(args.getLong("step")));

    private final long stepNs;

    public Carnage(long stepNs) {
        if (stepNs <= 0) {
            throw new IllegalArgumentException("step must be > 0: " + stepNs);
        }
        this.stepNs = stepNs;
    }

    @Override
    public void run(DomainContext ctx) {
        while (true) {
            ctx.consume(stepNs);
        }
    }
}

package nemesis.programs;

import java.util.List;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Program;

/**
 * Works like carnage, then throws. Shows that a domain that fails is killed, its reservation
 * returned, and that every other domain keeps its guarantees.
 */
public final class Crash implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("crash",
            "consumes `after` of CPU, then throws",
            List.of(ArgSpec.optional("after", ArgType.DURATION, 10_000_000L, "CPU consumed before the failure")),
            args -> new Crash(args.getLong("after")));

    private final long afterNs;

    public Crash(long afterNs) {
        this.afterNs = afterNs;
    }

    @Override
    public void run(DomainContext ctx) {
        long left = afterNs;
        while (left > 0) {
            long step = Math.min(left, 100_000L);
            ctx.consume(step);
            left -= step;
        }
        throw new IllegalStateException("deliberate failure after " + afterNs + " ns of CPU");
    }
}

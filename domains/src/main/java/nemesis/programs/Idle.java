package nemesis.programs;

import java.util.List;
import nemesis.kernel.DomainContext;
import nemesis.kernel.Kernel;
import nemesis.kernel.Program;

/** Holds a reservation and never uses it: it blocks for good. Its slice costs the others nothing. */
public final class Idle implements Program {
    public static final ProgramInfo INFO = new ProgramInfo("idle",
            "blocks for good (a reservation that is never used)", List.of(), args -> new Idle());

    @Override
    public void run(DomainContext ctx) {
        ctx.sleepUntil(Kernel.NEVER);
    }
}

package nemesis.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One of the paper's experiments, reproduced by running scenarios. Each writes the scenario files
 * it ran (so a user can re-run or change any of them), its figure as PNG and SVG, and returns the
 * figures the contract of {@code architecture.md} names (in the paper's units: "Mb/s" is 2^20
 * bits per second of payload).
 */
public interface Experiment {
    String name();

    /** What the paper shows and what we compare it with, one line. */
    String summary();

    /**
     * Where the receiving host is: the simulated peer in virtual time (the paper's receivers,
     * modelled), or this machine's own Linux kernel over a TAP device in real time (needs root).
     */
    enum Receiver { SIM, TAP }

    /** Whether the experiment can run against {@code r}: only those whose receiver is a Linux can have the real one. */
    default boolean supports(Receiver r) {
        return r == Receiver.SIM;
    }

    /**
     * Runs the experiment.
     *
     * @param out      directory for scenarios, captures and figures
     * @param progress where to say what is running (one line per scenario)
     * @param receiver the simulated peer or the real Linux (only where {@link #supports})
     */
    Result run(Path out, PrintStream progress, Receiver receiver) throws Exception;

    /** Runs the experiment against the simulated peer, in virtual time. */
    default Result run(Path out, PrintStream progress) throws Exception {
        return run(out, progress, Receiver.SIM);
    }

    /**
     * @param json  the contract's fields and more
     * @param table lines for the terminal
     * @param files what was written
     */
    record Result(Map<String, Object> json, List<String> table, List<Path> files) {
    }

    /** The paper's "Mb/s": 2^20 bits per second. */
    static double mbps(double bitsPerSecond) {
        return bitsPerSecond / (1 << 20);
    }
}

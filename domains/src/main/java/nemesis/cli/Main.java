package nemesis.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import nemesis.kernel.MachineProfile;
import nemesis.programs.ArgSpec;
import nemesis.programs.ProgramInfo;
import nemesis.programs.Programs;
import nemesis.run.Json;
import nemesis.run.ResultsTable;
import nemesis.run.ScenarioRunner;
import nemesis.scenario.Quantities;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioException;
import nemesis.scenario.ScenarioParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code nemesis} command line. Exit status: 0 success, 2 bad input (nothing ran), 1 any other
 * failure.
 */
@Command(name = "nemesis", mixinStandardHelpOptions = true, version = "nemesis 0.1",
        description = "An emulator of the Nemesis operating system: Atropos reservations of CPU and transmit "
                + "time for domains, each with its own TCP/IP stack.",
        subcommands = {CommandLine.HelpCommand.class, Main.Run.class, Main.Check.class, Main.Experiment.class, Main.ListPrograms.class,
                Main.ListMachines.class, Main.Tap.class})
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs a command line; for tests, with the given streams. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ScenarioException se) {
                err.println(se.getMessage());
                err.println("nothing was run.");
                return BAD_INPUT;
            }
            if (e instanceof BadInput bi) {
                err.println("nemesis: " + bi.getMessage());
                return BAD_INPUT;
            }
            if (e instanceof nemesis.run.Unavailable u) {
                err.println("nemesis: " + u.getMessage());
                err.println("nothing was run.");
                return FAILED;
            }
            err.println("nemesis: failed: " + e);
            e.printStackTrace(err);
            return FAILED;
        });
        return cl.execute(args);
    }

    /** A command-line value that is wrong: exit 2. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }

    static long duration(String option, String text) {
        try {
            return Quantities.parseDurationNs(text);
        } catch (IllegalArgumentException e) {
            throw new BadInput(option + ": " + e.getMessage());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs a scenario and prints a table of what each domain received.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SCENARIO.yaml", description = "the scenario file")
        Path file;

        @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON to FILE")
        Path json;

        @Option(names = "--seed", paramLabel = "N", description = "override the scenario's seed")
        Long seed;

        @Option(names = "--duration", paramLabel = "D", description = "override the duration, e.g. 20s")
        String duration;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
                description = "directory for the trace and charts (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--trace", description = "write the schedule trace (CSV) and a Gantt chart (SVG, PNG) to --out")
        boolean trace;

        @Option(names = "--gantt-from", paramLabel = "D", description = "start of the Gantt chart window (default 0)")
        String ganttFrom;

        @Option(names = "--gantt-span", paramLabel = "D",
                description = "length of the Gantt chart window (default: four of the longest periods, at least 20ms)")
        String ganttSpan;

        @Option(names = {"-q", "--quiet"}, description = "no table, no progress")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            Long durationNs = duration == null ? null : duration("--duration", duration);
            Long from = ganttFrom == null ? null : duration("--gantt-from", ganttFrom);
            Long span = ganttSpan == null ? null : duration("--gantt-span", ganttSpan);
            if (seed != null && seed < 0) {
                throw new BadInput("--seed: must not be negative: " + seed);
            }
            Scenario s = ScenarioParser.parse(file, durationNs).withOverrides(seed, durationNs);
            PrintStream out = System.out;
            ScenarioRunner.Outcome o = ScenarioRunner.run(s,
                    new ScenarioRunner.Options(this.out, trace, from, span, quiet ? null : System.err));
            String text = Json.write(o.results());
            if (json != null) {
                writeFile(json, text);
            }
            if (!quiet) {
                ResultsTable.print(o, out);
                for (Path p : o.files()) {
                    out.println("wrote " + p);
                }
                if (json != null) {
                    out.println("wrote " + json);
                }
            }
            return OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Checks a scenario file without running it (exit 0 if valid, 2 if not).")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SCENARIO.yaml")
        Path file;

        @Option(names = "--duration", paramLabel = "D")
        String duration;

        @Override
        public Integer call() throws Exception {
            Scenario s = ScenarioParser.parse(file, duration == null ? null : duration("--duration", duration));
            System.out.printf(Locale.ROOT, "%s: valid (%d domains, %s clock)%n", file, s.domains().size(),
                    s.clock().name().toLowerCase());
            return OK;
        }
    }

    @Command(name = "experiment", mixinStandardHelpOptions = true,
            description = "Reproduces an experiment of the paper: fig4, fig5, fig6, fig7, table1, perf.")
    static final class Experiment implements Callable<Integer> {
        static final List<String> NAMES = List.of("fig4", "fig5", "fig6", "fig7", "table1", "perf");

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", paramLabel = "FILE")
        Path json;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "out")
        Path out;

        @Option(names = {"-q", "--quiet"}, description = "no table, no progress")
        boolean quiet;

        @Option(names = "--peer", paramLabel = "sim|tap", defaultValue = "sim",
                description = "the receiver: sim (the simulated peer, virtual time; default) or tap (this machine's "
                        + "Linux over a TAP device, real time, needs root; table1, fig6, perf)")
        String peer;

        @Override
        public Integer call() throws Exception {
            if (!NAMES.contains(name)) {
                throw new BadInput("unknown experiment '" + name + "' (known: " + String.join(", ", NAMES) + ")");
            }
            nemesis.experiment.Experiment e = nemesis.experiment.Experiments.find(name);
            if (e == null) {
                throw new BadInput("experiment " + name + " is not yet supported");
            }
            nemesis.experiment.Experiment.Receiver receiver = switch (peer) {
                case "sim" -> nemesis.experiment.Experiment.Receiver.SIM;
                case "tap" -> nemesis.experiment.Experiment.Receiver.TAP;
                default -> throw new BadInput("--peer: '" + peer + "' is neither sim nor tap");
            };
            if (!e.supports(receiver)) {
                throw new BadInput("experiment " + name + " has no real-peer form: its receivers are the paper's "
                        + "SunOS/NetBSD hosts or its search takes many runs (--peer tap: table1, fig6, perf)");
            }
            boolean tap = receiver == nemesis.experiment.Experiment.Receiver.TAP;
            Path dir = out.resolve(tap ? name + "-tap" : name);
            PrintStream progress = quiet ? null : System.err;
            if (progress != null) {
                progress.println(name + ": " + e.summary());
                progress.println("scenarios, captures and figures go to " + dir);
            }
            long t0 = System.nanoTime();
            nemesis.experiment.Experiment.Result r = e.run(dir, progress, receiver);
            if (tap) {
                Map<String, Object> j = new java.util.LinkedHashMap<>(r.json());
                j.put("receiver", "this machine's Linux over a TAP device, real time");
                List<String> t = new java.util.ArrayList<>(r.table());
                t.add(0, "receiver: this machine's Linux kernel over a TAP device, in real time (not the paper's)");
                r = new nemesis.experiment.Experiment.Result(j, t, r.files());
            }
            String text = Json.write(r.json());
            if (json != null) {
                writeFile(json, text);
            }
            if (!quiet) {
                PrintStream o = System.out;
                o.println();
                for (String line : r.table()) {
                    o.println(line);
                }
                o.println();
                for (Path p : r.files()) {
                    o.println("wrote " + p);
                }
                if (json != null) {
                    o.println("wrote " + json);
                }
                o.printf(Locale.ROOT, "%s took %.1f s wall%n", name, (System.nanoTime() - t0) / 1e9);
            }
            return OK;
        }
    }

    @Command(name = "tap", mixinStandardHelpOptions = true,
            description = "The real peer's plumbing: 'tap cleanup' removes network namespaces and TAP devices "
                    + "that runs which did not end cleanly (killed, crashed) left behind.")
    static final class Tap implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ACTION", description = "cleanup")
        String action;

        @Override
        public Integer call() throws Exception {
            if (!"cleanup".equals(action)) {
                throw new BadInput("unknown tap action '" + action + "' (known: cleanup)");
            }
            String why = nemesis.linux.LinuxNamespace.unsupportedReason();
            if (why != null) {
                System.err.println("nemesis: tap cleanup: " + why);
                return FAILED;
            }
            int n = nemesis.linux.LinuxNamespace.cleanupLeftovers(System.out);
            System.out.println(n == 0 ? "nothing to clean up" : "removed " + n);
            return OK;
        }
    }

    @Command(name = "programs", mixinStandardHelpOptions = true, description = "Lists the programs a domain can run.")
    static final class ListPrograms implements Callable<Integer> {
        @Override
        public Integer call() {
            for (ProgramInfo p : Programs.catalog().values()) {
                System.out.printf(Locale.ROOT, "%-10s %s%n", p.name(), p.summary());
                for (ArgSpec a : p.args()) {
                    System.out.printf(Locale.ROOT, "    %-8s %-9s %s%s%n", a.name(), a.type().name().toLowerCase(),
                            a.help(), a.required() ? " (required)" : a.defaultValue() == null ? ""
                                    : " (default " + shown(a) + ")");
                }
            }
            return OK;
        }
    }

    /** Writes {@code text} to {@code file}, creating its directory. */
    static void writeFile(Path file, String text) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** A default as a scenario file would write it. */
    static String shown(ArgSpec a) {
        return switch (a.type()) {
            case DURATION -> Quantities.formatNs((Long) a.defaultValue());
            case RATE -> Quantities.formatRate((Long) a.defaultValue());
            default -> String.valueOf(a.defaultValue());
        };
    }

    @Command(name = "machines", mixinStandardHelpOptions = true, description = "Lists the machine profiles.")
    static final class ListMachines implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String name : MachineProfile.BUILT_IN) {
                MachineProfile m = MachineProfile.load(name);
                System.out.printf(Locale.ROOT, "%-12s %s%n", name, m.description());
                m.costs().forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-28s %d ns%n", k, v));
            }
            return OK;
        }
    }
}

package nemesis.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nemesis.atropos.Qos;
import nemesis.atropos.Units;
import nemesis.kernel.Clock;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.kernel.MachineProfile;
import nemesis.kernel.RealClock;
import nemesis.kernel.VirtualClock;
import nemesis.kernel.trace.GanttChart;
import nemesis.kernel.trace.TraceCsv;
import nemesis.programs.ProgramInfo;
import nemesis.programs.Programs;
import nemesis.scenario.DomainSpec;
import nemesis.scenario.Scenario;

/** Builds the emulated machine a scenario describes, runs it, and writes what the user asked for. */
public final class ScenarioRunner {

    /**
     * @param outDir     where the trace, the Gantt chart and the results go
     * @param trace      whether to write the schedule trace (CSV) and the Gantt chart (SVG, PNG)
     * @param ganttFrom  start of the Gantt window; null: 0
     * @param ganttSpan  length of the Gantt window; null: about four of the longest periods
     * @param progress   where progress lines go on long runs (null: none)
     */
    public record Options(Path outDir, boolean trace, Long ganttFrom, Long ganttSpan, PrintStream progress) {
    }

    /** What a run produced. {@code wallNs} is the time the emulated machine ran, not counting setup. */
    public record Outcome(Scenario scenario, Kernel kernel, Network network, Map<String, Object> results,
                          long wallNs, List<Path> files) {
    }

    private ScenarioRunner() {
    }

    public static Outcome run(Scenario s, Options o) throws IOException {
        if (s.clock() == Scenario.ClockKind.REAL) {
            RealTimeWarmup.run(s.machine());
        }
        Clock clock = s.clock() == Scenario.ClockKind.REAL ? new RealClock() : new VirtualClock();
        Kernel k = new Kernel(clock, MachineProfile.load(s.machine()), s.cpuCapPpb(), s.seed());
        Network network = s.link() != null ? Network.build(s, k) : null;
        for (DomainSpec ds : s.domains()) {
            ProgramInfo info = Programs.find(ds.program());
            Domain d = k.createDomain(ds.name(), ds.program(), ds.cpu(), info.factory().apply(ds.args()), ds.startNs());
            for (DomainSpec.QosChange c : ds.changes()) {
                k.setQosAt(d, c.cpu(), c.atNs());
            }
            if (ds.stopNs() != null) {
                k.killAt(d, ds.stopNs(), "stopped at " + Units.formatNs(ds.stopNs()) + " by the scenario");
            }
        }
        Thread watcher = o.progress() == null ? null : progressWatcher(s, k, o.progress());
        if (network != null) {
            network.start(); // a TAP peer's listeners listen before the machine starts
        }
        long t0 = System.nanoTime();
        try {
            k.run(s.durationNs(), s.warmupNs());
        } catch (RuntimeException | Error e) {
            if (network != null) {
                network.close();
            }
            throw e;
        }
        long wall = System.nanoTime() - t0;
        if (watcher != null) {
            watcher.interrupt();
        }
        if (network != null) {
            network.stop(); // the far end's figures are final from here
        }
        Map<String, Object> results = Results.of(s, k, network);
        List<Path> files = new java.util.ArrayList<>();
        if (network != null) {
            network.close();
            if (s.link().pcap() != null) {
                files.add(s.link().pcap());
            }
        }
        if (o.trace()) {
            Files.createDirectories(o.outDir());
            Path csv = o.outDir().resolve(s.name() + ".trace.csv");
            try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                TraceCsv.write(k.trace(), w);
            }
            files.add(csv);
            GanttChart.Options g = gantt(s, k, o);
            Path svg = o.outDir().resolve(s.name() + ".gantt.svg");
            try (Writer w = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
                GanttChart.writeSvg(k.trace(), g, w);
            }
            files.add(svg);
            Path png = o.outDir().resolve(s.name() + ".gantt.png");
            GanttChart.writePng(k.trace(), g, png);
            files.add(png);
        }
        return new Outcome(s, k, network, results, wall, files);
    }

    private static GanttChart.Options gantt(Scenario s, Kernel k, Options o) {
        List<Domain> ds = k.domains();
        long longest = 0;
        for (Domain d : ds) {
            longest = Math.max(longest, d.qos().periodNs());
        }
        long from = o.ganttFrom() != null ? o.ganttFrom() : 0;
        long span = o.ganttSpan() != null ? o.ganttSpan() : Math.max(20_000_000L, 4 * longest);
        long to = Math.min(s.durationNs(), from + span);
        String title = s.name() + " (" + k.clock().kind() + " clock, " + s.machine() + "): "
                + Units.formatNs(from) + " to " + Units.formatNs(to);
        int width = Math.max(ds.stream().mapToInt(d -> d.name().length()).max().orElse(4), 4);
        return GanttChart.Options.window(from, to, title)
                .withRowLabels(id -> String.format(java.util.Locale.ROOT, "%-" + width + "s  %s", ds.get(id).name(),
                        label(ds.get(id).qos())));
    }

    /** {@code 3ms/10ms x}: slice per period, and x when the extra flag is set. */
    public static String label(Qos q) {
        return Units.formatNs(q.sliceNs()) + "/" + Units.formatNs(q.periodNs()) + (q.extra() ? " x" : "");
    }

    private static Thread progressWatcher(Scenario s, Kernel k, PrintStream out) {
        boolean real = s.clock() == Scenario.ClockKind.REAL;
        return Thread.ofPlatform().daemon().name("progress").start(() -> {
            long startWall = System.nanoTime();
            try {
                while (!k.awaitFinished(1, TimeUnit.SECONDS)) {
                    long wallS = (System.nanoTime() - startWall) / 1_000_000_000L;
                    if (real || wallS >= 2) {
                        long now = Math.min(k.progressNs(), s.durationNs());
                        out.printf(java.util.Locale.ROOT, "  %s: %s of %s emulated (%d%%)%n", s.name(),
                                Units.formatNs(now), Units.formatNs(s.durationNs()), 100 * now / s.durationNs());
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}

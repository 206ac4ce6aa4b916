package nemesis.run;

import java.io.PrintStream;
import java.util.Locale;
import nemesis.atropos.Units;
import nemesis.kernel.Domain;
import nemesis.kernel.Kernel;
import nemesis.scenario.Scenario;

/** The concise terminal summary of a run. */
public final class ResultsTable {
    private ResultsTable() {
    }

    public static void print(ScenarioRunner.Outcome o, PrintStream out) {
        Scenario s = o.scenario();
        Kernel k = o.kernel();
        long measured = k.measuredNs();
        out.printf(Locale.ROOT, "%s: %s clock, %s emulated (measured %s after %s warmup), seed %d, machine %s%n",
                s.name(), k.clock().kind(), Units.formatNs(s.durationNs()), Units.formatNs(measured),
                Units.formatNs(s.warmupNs()), s.seed(), s.machine());
        int w = Math.max(6, k.domains().stream().mapToInt(d -> d.name().length()).max().orElse(6));
        int pw = Math.max(7, k.domains().stream().mapToInt(d -> d.programName().length()).max().orElse(7));
        String fmt = "%-" + w + "s  %-" + pw + "s  %-16s %8s  %11s %11s %8s  %s%n";
        out.printf(Locale.ROOT, fmt, "domain", "program", "cpu slice/period", "reserved", "guaranteed", "extra",
                "share", "status");
        for (Domain d : k.domains()) {
            double share = measured > 0 ? (double) (d.measuredGuaranteedNs() + d.measuredExtraNs()) / measured : 0;
            String status = d.status().name().toLowerCase();
            if (d.lateSlices() > 0) {
                status += ", " + d.lateSlices() + " late slices";
            }
            if (d.stats().values().containsKey("missed")) {
                status += ", missed " + d.stats().getLong("missed") + "/" + d.stats().getLong("releases")
                        + " deadlines, worst lateness " + Units.formatNs(d.stats().getLong("max_lateness_ns"));
            }
            out.printf(Locale.ROOT, fmt, d.name(), d.programName(), ScenarioRunner.label(d.qos()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * d.qos().share()),
                    Units.formatNs(d.measuredGuaranteedNs()), Units.formatNs(d.measuredExtraNs()),
                    String.format(Locale.ROOT, "%.2f%%", 100 * share), status);
            if (d.error() != null) {
                out.println("  " + " ".repeat(w) + "  " + d.error());
            }
        }
        double speed = o.wallNs() > 0 ? (double) s.durationNs() / o.wallNs() : 0;
        out.printf(Locale.ROOT, "idle %.2f%%, %d scheduler passes; ran in %.3f s wall%s%n",
                100.0 * k.idleNs() / s.durationNs(), k.passes(), o.wallNs() / 1e9,
                k.clock().isVirtual() ? String.format(Locale.ROOT, " (%.0fx real time)", speed) : "");
    }
}

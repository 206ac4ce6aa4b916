package nemesis.kernel;

import java.util.ArrayList;
import java.util.List;
import nemesis.atropos.Qos;
import nemesis.kernel.trace.ScheduleTrace;

/**
 * Checks a schedule from its trace alone, without trusting the scheduler's own accounts.
 */
final class TraceChecks {
    private TraceChecks() {
    }

    /**
     * Periods of an always-runnable domain in which it received less than its slice minus
     * {@code toleranceNs}, as readable strings (empty when the guarantee held).
     */
    static List<String> shortPeriods(ScheduleTrace trace, Domain d, long toleranceNs) {
        List<String> bad = new ArrayList<>();
        Qos q = d.qos();
        long start = d.startedNs();
        long end = d.endedNs() >= 0 ? d.endedNs() : trace.endOfRunNs();
        for (long from = start; from + q.periodNs() <= end; from += q.periodNs()) {
            long got = trace.cpuBetween(d.traceId(), from, from + q.periodNs());
            if (got < q.sliceNs() - toleranceNs) {
                bad.add(d.name() + " got " + got + " ns < slice " + q.sliceNs() + " in [" + from + ", "
                        + (from + q.periodNs()) + ")");
            }
        }
        return bad;
    }

    /** Rows of extra time given to domains without the extra flag. */
    static List<String> extraToNonExtra(ScheduleTrace trace, List<Domain> domains) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < trace.size(); i++) {
            Domain d = domains.get(trace.domain(i));
            if (trace.extra(i) && !d.qos().extra()) {
                bad.add(d.name() + " got extra time at " + trace.start(i));
            }
        }
        return bad;
    }

    /** Rows where a slice-0 domain ran outside extra time. */
    static List<String> sliceZeroOutsideSlack(ScheduleTrace trace, List<Domain> domains) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < trace.size(); i++) {
            Domain d = domains.get(trace.domain(i));
            if (d.qos().sliceNs() == 0 && !trace.extra(i)) {
                bad.add(d.name() + " (slice 0) ran guaranteed time at " + trace.start(i));
            }
        }
        return bad;
    }

    /** Rows that overlap or go backwards: only one domain runs at a time. */
    static List<String> overlaps(ScheduleTrace trace) {
        List<String> bad = new ArrayList<>();
        for (int i = 1; i < trace.size(); i++) {
            if (trace.start(i) < trace.end(i - 1)) {
                bad.add("row " + i + " starts at " + trace.start(i) + " before row " + (i - 1) + " ends at "
                        + trace.end(i - 1));
            }
        }
        return bad;
    }
}

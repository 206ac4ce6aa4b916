package nemesis.kernel.trace;

import java.io.IOException;
import java.io.Writer;

/** The schedule trace as CSV: one row per stretch of CPU, times in nanoseconds. */
public final class TraceCsv {
    public static final String HEADER = "start_ns,end_ns,duration_ns,domain,program,reason,mode";

    private TraceCsv() {
    }

    public static void write(ScheduleTrace trace, Writer out) throws IOException {
        StringBuilder line = new StringBuilder(96);
        out.write(HEADER);
        out.write('\n');
        for (int i = 0; i < trace.size(); i++) {
            int d = trace.domain(i);
            line.setLength(0);
            line.append(trace.start(i)).append(',')
                    .append(trace.end(i)).append(',')
                    .append(trace.end(i) - trace.start(i)).append(',')
                    .append(trace.domainName(d)).append(',')
                    .append(trace.domainProgram(d)).append(',')
                    .append(trace.reason(i).name().toLowerCase()).append(',')
                    .append(trace.extra(i) ? "extra" : "guaranteed").append('\n');
            out.write(line.toString());
        }
    }
}

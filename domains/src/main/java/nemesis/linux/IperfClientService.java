package nemesis.linux;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code iperf_client}: at its start time, {@code iperf -c REMOTE -B LOCAL -p PORT -t DURATION -f b -e}
 * (iperf 2, TCP) in the namespace. The figures are iperf's own final report: bytes written over
 * the connection, from the connect to the end of the test, and the rate over that (plus its
 * writes, write errors and retransmissions); a stop before it ends sends SIGINT, so that it
 * reports what it did.
 */
final class IperfClientService extends ServiceBase {
    private final LinuxServiceSpec.IperfClient spec;
    private volatile ToolProcess tool;
    private volatile long startedNs = -1;
    private volatile long finishedNs = -1;
    private volatile boolean clean = true;
    private Thread thread;

    IperfClientService(LinuxServiceSpec.IperfClient spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
    }

    @Override
    public String program() {
        return "iperf_client";
    }

    @Override
    void begin() throws IOException {
        IperfServerService.requireIperf(name);
        thread = ctx.ns().startThread(name, this::run);
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>(List.of("iperf", "-c", ctx.remote().getHostAddress(),
                "-B", ctx.local().getHostAddress(), "-p", Integer.toString(spec.dstPort()),
                "-t", ToolProcess.seconds(spec.durationNs()), "-f", "b", "-e",
                // refused while the emulated host is not listening yet: iperf tries again (~200 ms apart)
                "--connect-retries", "10"));
        if (spec.reportIntervalNs() > 0) {
            cmd.addAll(List.of("-i", ToolProcess.seconds(spec.reportIntervalNs())));
        }
        return cmd;
    }

    private void run() {
        if (!waitUntil(spec.startNs())) {
            return;
        }
        try {
            startedNs = now();
            tool = new ToolProcess(ctx.ns(), command());
            while (!stopping && !tool.waitFor(50)) {
                // until it ends or the run does
            }
            if (!tool.running()) {
                finishedNs = now();
            }
        } catch (IOException e) {
            error("cannot start iperf: " + e.getMessage());
        } catch (InterruptedException e) {
            // stopped
        }
    }

    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
        join(thread, 2_000);
        ToolProcess t = tool;
        if (t != null && t.running()) {
            clean = t.finish(3_000);
            finishedNs = now();
        }
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "iperf_client");
        m.put("port", spec.dstPort());
        ToolProcess t = tool;
        if (t == null) {
            m.put("state", "not started");
            putErrors(m);
            return m;
        }
        List<String> lines = t.lines();
        m.putAll(IperfReport.figures(IperfReport.parse(lines)));
        m.put("started_ns", startedNs);
        m.put("finished_ns", finishedNs);
        m.put("command", String.join(" ", t.command()));
        Integer exit = t.exitCode();
        m.put("state", exit == null ? "running" : clean ? "finished" : "killed");
        if (exit != null) {
            m.put("exit_code", exit);
        }
        boolean connected = m.get("connections") instanceof Number c && c.intValue() > 0;
        int refused = ToolProcess.refusals(lines);
        if (refused > 0) {
            m.put("connect_refused", refused);
        }
        List<String> complaints = ToolProcess.complaints(lines, connected);
        if (!complaints.isEmpty()) {
            m.put("tool_errors", complaints);
        }
        putErrors(m);
        return m;
    }
}

package nemesis.linux;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ping}: at its start time, {@code ping -n -c COUNT -i INTERVAL -s SIZE -W WAIT -I LOCAL REMOTE}
 * (iputils) in the namespace. The figures are ping's own summary (see {@link PingReport}), with
 * the simulated peer's names for what they share ({@code sent}, {@code received}, {@code lost},
 * {@code duplicates}, {@code rtt_min_ns}, {@code rtt_avg_ns}, {@code rtt_max_ns}).
 */
final class PingService extends ServiceBase {
    private final LinuxServiceSpec.Ping spec;
    private volatile ToolProcess tool;
    private volatile long startedNs = -1;
    private volatile long finishedNs = -1;
    private Thread thread;

    PingService(LinuxServiceSpec.Ping spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
    }

    @Override
    public String program() {
        return "ping";
    }

    @Override
    void begin() throws IOException {
        ToolProcess.require(name, "ping", List.of("ping", "-V"), "iputils",
                "run scripts/install-test-tools.sh (apt-get install iputils-ping)");
        thread = ctx.ns().startThread(name, this::run);
    }

    List<String> command() {
        return List.of("ping", "-n", "-c", Integer.toString(spec.count()), "-i", ToolProcess.seconds(spec.intervalNs()),
                "-s", Integer.toString(spec.size()), "-W", ToolProcess.seconds(spec.waitNs()),
                "-I", ctx.local().getHostAddress(), ctx.remote().getHostAddress());
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
            error("cannot start ping: " + e.getMessage());
        } catch (InterruptedException e) {
            // stopped
        }
    }

    /** Whether ping has printed its summary (it ended). */
    boolean finished() {
        ToolProcess t = tool;
        return t != null && !t.running();
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
            t.finish(2_000);
            finishedNs = now();
        }
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "ping");
        ToolProcess t = tool;
        if (t == null) {
            m.put("state", "not started");
            putErrors(m);
            return m;
        }
        List<String> lines = t.lines();
        m.putAll(PingReport.figures(lines));
        m.put("started_ns", startedNs);
        m.put("finished_ns", finishedNs);
        m.put("command", String.join(" ", t.command()));
        Integer exit = t.exitCode();
        m.put("state", exit == null ? "running" : "finished");
        if (exit != null) {
            m.put("exit_code", exit);
        }
        putErrors(m);
        return m;
    }
}

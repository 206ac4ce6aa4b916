package nemesis.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code iperf_server}: {@code iperf -s -B LOCAL -p PORT -f b} (iperf 2, TCP) in the namespace from
 * the start of the run; stopped with SIGINT at its end, which makes iperf end any connection still
 * open and print its final report. The figures are iperf's own final reports (see
 * {@link IperfReport}): iperf 2's server measures each connection from its accept to the end of
 * its stream (the sender's FIN, or the SIGINT), over the whole connection: not the emulator's
 * measured window (a warmup is not left out).
 *
 * <p><b>A sender that is not iperf</b> (the Nemesis host's {@code tcp_send}): iperf 2.1's server
 * reads the first {@value #FLAGS_BYTES} bytes of every connection as the flags word of an iperf
 * test header, and does not count them when they are zero (no header), so its {@code bytes} are
 * the stream's minus {@value #FLAGS_BYTES}. A stream whose first 4 bytes are not zero is taken for
 * a test header with options (bounce-back, dual test: the server may even connect back to the
 * sender; random data gave no report at all). The {@link nemesis.inet.StreamPattern} begins with
 * 8 zero bytes, and so do zeros: both are counted as said.
 */
final class IperfServerService extends ServiceBase {
    static final String INSTALL = "run scripts/install-test-tools.sh (apt-get install iperf)";
    /** Bytes at the start of each connection iperf's server reads as test flags and does not count when zero. */
    static final int FLAGS_BYTES = 4;
    private static final long LISTEN_WAIT_MS = 5_000;

    private final LinuxServiceSpec.IperfServer spec;
    private volatile ToolProcess tool;
    private volatile long startedNs = -1;
    private volatile long stoppedNs = -1;
    private volatile boolean clean = true;

    IperfServerService(LinuxServiceSpec.IperfServer spec, Context ctx, String name) {
        super(ctx, name);
        this.spec = spec;
    }

    @Override
    public String program() {
        return "iperf_server";
    }

    static void requireIperf(String service) {
        ToolProcess.require(service, "iperf", List.of("iperf", "-v"), "iperf version 2", INSTALL);
    }

    @Override
    void begin() throws IOException {
        requireIperf(name);
        List<String> cmd = new ArrayList<>(List.of("iperf", "-s", "-B", ctx.local().getHostAddress(),
                "-p", Integer.toString(spec.port()), "-f", "b"));
        if (spec.reportIntervalNs() > 0) {
            cmd.addAll(List.of("-i", ToolProcess.seconds(spec.reportIntervalNs())));
        }
        tool = new ToolProcess(ctx.ns(), cmd);
        long deadline = System.nanoTime() + LISTEN_WAIT_MS * 1_000_000L;
        while (!listening(ctx.ns(), spec.port())) {
            if (!tool.running() || System.nanoTime() > deadline) {
                tool.finish(1_000);
                throw new IOException(name + ": '" + String.join(" ", cmd) + "' "
                        + (tool.running() ? "is not listening after " + LISTEN_WAIT_MS + " ms"
                        : "exited (" + tool.exitCode() + ")") + ": " + String.join(" / ", tool.lines()));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(name + ": interrupted while iperf started", e);
            }
        }
        startedNs = now();
    }

    /** Whether a TCP socket in the namespace listens on {@code port} (from /proc/thread-self/net/tcp{,6} inside). */
    static boolean listening(LinuxNamespace ns, int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        try {
            return ns.call(() -> {
                for (String f : List.of("tcp", "tcp6")) {
                    Path p = Path.of("/proc/thread-self/net", f);
                    if (!Files.exists(p)) {
                        continue;
                    }
                    for (String line : Files.readAllLines(p)) {
                        String[] c = line.trim().split("\\s+");
                        if (c.length > 3 && c[1].endsWith(hexPort) && c[3].equals("0A")) {
                            return true;
                        }
                    }
                }
                return false;
            });
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        ToolProcess t = tool;
        if (t != null) {
            abortConnections();
            clean = t.finish(3_000);
            stoppedNs = now();
        }
    }

    /**
     * The run is over and the emulated host is gone without closing what it had open; iperf 2
     * would wait for those connections for ever and never report them. Aborting them in the
     * namespace's kernel ({@code ss -K}, SOCK_DESTROY) makes iperf end each one and print its
     * report, as a reset from the host would.
     */
    private void abortConnections() {
        if (ctx.ns().isClosed()) {
            return; // an interrupted run (Ctrl-C): the namespace and iperf go, no report is waited for
        }
        try {
            ctx.ns().run(List.of("ss", "-K", "-t", "state", "established", "( sport = :" + spec.port() + " )"), 2_000);
            Thread.sleep(200); // iperf prints the report when its read fails
        } catch (IOException e) {
            error("cannot abort the connections left open (ss -K): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", "iperf_server");
        m.put("port", spec.port());
        ToolProcess t = tool;
        if (t == null) {
            m.put("state", "not started");
            putErrors(m);
            return m;
        }
        List<String> lines = t.lines();
        m.putAll(IperfReport.figures(IperfReport.parse(lines)));
        m.put("started_ns", startedNs);
        m.put("stopped_ns", stoppedNs);
        m.put("command", String.join(" ", t.command()));
        Integer exit = t.exitCode();
        m.put("state", exit == null ? "running" : clean ? "stopped" : "killed");
        if (exit != null) {
            m.put("exit_code", exit);
        }
        List<String> complaints = new java.util.ArrayList<>(ToolProcess.complaints(lines));
        // What our own abort at the end (ss -K) makes iperf say is not a complaint.
        long aborted = complaints.stream().filter(c -> c.contains(ABORT_MESSAGE)).count();
        complaints.removeIf(c -> c.contains(ABORT_MESSAGE));
        if (aborted > 0) {
            m.put("aborted_at_end", aborted);
        }
        if (!complaints.isEmpty()) {
            m.put("tool_errors", complaints);
        }
        putErrors(m);
        return m;
    }

    /** What iperf prints for a connection {@code ss -K} aborted. */
    private static final String ABORT_MESSAGE = "Software caused connection abort";
}

package nemesis.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nemesis.inet.StreamPattern;

/**
 * OpenBSD netcat on the Linux side, the plainest TCP peer there is: {@code nc_sink} listens and
 * writes what arrives to a file, {@code nc_send} sends a file of the pattern. Files live in a
 * temporary directory removed at the end; figures are counted from them (byte for byte).
 */
abstract class NcService extends ServiceBase {
    final Path dir;
    volatile ToolProcess tool;
    volatile long startedNs = -1;
    volatile long finishedNs = -1;

    NcService(Context ctx, String name) {
        super(ctx, name);
        try {
            this.dir = Files.createTempDirectory("nemesis-nc-");
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot make a temporary directory: " + e.getMessage(), e);
        }
    }

    static void requireNc(String service) {
        ToolProcess.require(service, "nc", List.of("nc", "-h"), "OpenBSD netcat",
                "run scripts/install-test-tools.sh (apt-get install netcat-openbsd)");
    }

    /** {@code sh -c SCRIPT} in the namespace: the shell does the redirection to or from the file. */
    ToolProcess shell(String script) throws IOException {
        return new ToolProcess(ctx.ns(), List.of("sh", "-c", script));
    }

    void finishTool() {
        ToolProcess t = tool;
        if (t != null && t.running()) {
            t.finish(1_000);
        }
        if (finishedNs < 0 && t != null) {
            finishedNs = now();
        }
    }

    void common(Map<String, Object> m, String program, int port) {
        m.put("program", program);
        m.put("port", port);
        ToolProcess t = tool;
        m.put("state", t == null ? "not started" : t.running() ? "running" : "finished");
        if (t != null && t.exitCode() != null) {
            m.put("exit_code", t.exitCode());
        }
        m.put("started_ns", startedNs);
        m.put("finished_ns", finishedNs);
        if (t != null) {
            m.put("command", String.join(" ", t.command()));
            List<String> lines = t.lines();
            boolean connected = lines.stream().anyMatch(l -> l.contains(" succeeded!"));
            int refused = ToolProcess.refusals(lines);
            if (refused > 0) {
                m.put("connect_refused", refused);
            }
            List<String> complaints = ToolProcess.complaints(lines, connected);
            if (!complaints.isEmpty()) {
                m.put("tool_errors", complaints);
            }
        }
        putErrors(m);
    }

    void removeDir() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory: best effort
        }
    }

    /** {@code nc_sink}. */
    static final class Sink extends NcService {
        private final LinuxServiceSpec.NcSink spec;
        private final Path file;
        private Map<String, Object> result;

        Sink(LinuxServiceSpec.NcSink spec, Context ctx, String name) {
            super(ctx, name);
            this.spec = spec;
            this.file = dir.resolve("received");
        }

        @Override
        public String program() {
            return "nc_sink";
        }

        @Override
        void begin() throws IOException {
            requireNc(name);
            // -l: listen on the namespace's address only; -n: no name lookups.
            tool = shell("exec nc -l -n " + ctx.local().getHostAddress() + " " + spec.port() + " > '" + file + "'");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!IperfServerService.listening(ctx.ns(), spec.port())) {
                if (!tool.running() || System.nanoTime() > deadline) {
                    tool.finish(500);
                    throw new IOException(name + ": nc does not listen: " + String.join(" / ", tool.lines()));
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(name + ": interrupted while nc started", e);
                }
            }
            startedNs = now();
        }

        @Override
        public synchronized void stop() {
            if (stopping) {
                return;
            }
            stopping = true;
            finishTool();
            result = count();
            removeDir();
        }

        /** Bytes in the file, and the offset of the first byte that is not the pattern (-1: none). */
        private Map<String, Object> count() {
            Map<String, Object> m = new LinkedHashMap<>();
            long n = 0;
            long firstBad = -1;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file)) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    if (spec.verifyPattern() && firstBad < 0) {
                        int bad = StreamPattern.firstMismatch(buf, 0, r, n);
                        if (bad >= 0) {
                            firstBad = n + bad;
                        }
                    }
                    n += r;
                }
            } catch (IOException e) {
                error("cannot read what nc received: " + e.getMessage());
            }
            m.put("bytes", n);
            if (spec.verifyPattern()) {
                m.put("verified", firstBad < 0);
                if (firstBad >= 0) {
                    m.put("first_mismatch", firstBad);
                }
            }
            return m;
        }

        @Override
        public synchronized Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            common(m, "nc_sink", spec.port());
            if (result != null) {
                m.putAll(result);
            }
            return m;
        }
    }

    /** {@code nc_send}. */
    static final class Send extends NcService {
        private final LinuxServiceSpec.NcSend spec;
        private final Path file;
        private Thread thread;

        Send(LinuxServiceSpec.NcSend spec, Context ctx, String name) {
            super(ctx, name);
            this.spec = spec;
            this.file = dir.resolve("to-send");
        }

        @Override
        public String program() {
            return "nc_send";
        }

        @Override
        void begin() throws IOException {
            requireNc(name);
            byte[] buf = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(file)) {
                for (long off = 0; off < spec.bytes(); ) {
                    int n = (int) Math.min(buf.length, spec.bytes() - off);
                    StreamPattern.fill(buf, 0, n, off);
                    out.write(buf, 0, n);
                    off += n;
                }
            }
            thread = Thread.ofPlatform().daemon().name(name).start(this::run);
        }

        private void run() {
            if (!waitUntil(spec.startNs())) {
                return;
            }
            try {
                startedNs = now();
                // -N: shut the socket down for writing at the end of the file (a FIN), -s: from the
                // namespace's address; -w: give up on a silent peer; -v: say why a connect failed.
                // A refused connect (the emulated host not listening yet) is tried again, every
                // 20 ms for up to 2 s, like tcp_send's; a refused SYN never reaches the host's
                // application, so the receiver still sees one connection.
                String nc = "nc -N -n -v -w 10 -s " + ctx.local().getHostAddress() + " "
                        + ctx.remote().getHostAddress() + " " + spec.dstPort() + " < '" + file + "'";
                String err = "'" + dir.resolve("nc.err") + "'";
                tool = shell("i=0; while :; do " + nc + " 2>" + err + "; rc=$?; cat " + err + " >&2; "
                        + "if [ $rc -ne 0 ] && [ $i -lt " + REFUSED_RETRIES + " ] && grep -q 'Connection refused' " + err
                        + "; then i=$((i+1)); sleep 0.02; continue; fi; exit $rc; done");
                while (!stopping && !tool.waitFor(50)) {
                    // until it ends or the run does
                }
                if (!tool.running()) {
                    finishedNs = now();
                }
            } catch (IOException e) {
                error("cannot start nc: " + e.getMessage());
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
            finishTool();
            removeDir();
        }

        @Override
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            common(m, "nc_send", spec.dstPort());
            m.put("bytes", spec.bytes());
            return m;
        }
    }
}

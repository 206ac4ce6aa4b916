package nemesis.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standard tool (iperf, ping) running inside the namespace, its output collected line by line as
 * it prints it. {@link #finish} stops it as Ctrl-C would (SIGINT: iperf and ping print their final
 * report), then kills it if it does not exit.
 */
final class ToolProcess {
    private final List<String> command;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread drain;

    ToolProcess(LinuxNamespace ns, List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = ns.exec(command);
        this.drain = Thread.ofPlatform().daemon().name(command.getFirst() + "-output").start(this::drain);
    }

    /** Whether {@code program} version {@code versionText} is installed (its {@code -v} output contains it). */
    static void require(String service, String program, List<String> versionCommand, String versionText,
                        String installHint) {
        if (!Command.onPath(program)) {
            throw new IllegalStateException(service + " needs " + program + ", which is not installed: " + installHint);
        }
        if (versionText == null) {
            return;
        }
        try {
            Command.Result r = Command.run(versionCommand, 5_000);
            if (!r.output().contains(versionText)) {
                throw new IllegalStateException(service + " needs " + program + " " + versionText + "; '"
                        + String.join(" ", versionCommand) + "' says: " + r.output().strip() + " (" + installHint + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException(service + ": cannot run " + String.join(" ", versionCommand) + ": "
                    + e.getMessage(), e);
        }
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    List<String> command() {
        return command;
    }

    long pid() {
        return process.pid();
    }

    /** What it printed so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    boolean running() {
        return process.isAlive();
    }

    /** Its exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Waits up to {@code ms} for it to exit by itself: true if it did (its output is then complete). */
    boolean waitFor(long ms) throws InterruptedException {
        if (process.waitFor(ms, TimeUnit.MILLISECONDS)) {
            drain.join(2_000);
            return true;
        }
        return false;
    }

    /**
     * SIGINT, up to {@code ms} for it to exit (iperf's server takes most of a second), then SIGKILL;
     * waits for its output to end. True if it exited after the SIGINT.
     */
    boolean finish(long ms) {
        boolean clean = true;
        try {
            if (process.isAlive()) {
                Signals.send(process.pid(), Signals.SIGINT);
                if (!process.waitFor(ms, TimeUnit.MILLISECONDS)) {
                    clean = false;
                    process.destroyForcibly();
                    process.waitFor(2, TimeUnit.SECONDS);
                }
            }
            drain.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            clean = false;
        }
        return clean;
    }

    /** Lines that look like complaints (failed, error, refused...). */
    static List<String> complaints(List<String> lines) {
        return complaints(lines, false);
    }

    /**
     * The same, leaving out "connection refused" when the tool went on to connect: a sender that
     * starts before the emulated host listens is refused and tries again (see
     * {@link ServiceBase#REFUSED_RETRIES}).
     */
    static List<String> complaints(List<String> lines, boolean connected) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String s = l.toLowerCase(java.util.Locale.ROOT);
            if (connected && s.contains("connection refused")) {
                continue;
            }
            if (s.contains("failed") || s.contains("error") || s.contains("refused") || s.contains("unreachable")
                    || s.contains("invalid") || s.contains("usage:") || s.contains("cannot")) {
                out.add(l.strip());
            }
        }
        return out;
    }

    /** How many lines say a connect was refused. */
    static int refusals(List<String> lines) {
        int n = 0;
        for (String l : lines) {
            if (l.toLowerCase(java.util.Locale.ROOT).contains("connection refused")) {
                n++;
            }
        }
        return n;
    }

    /** Seconds as a tool's command line takes them: {@code 1.5} for 1.5e9 ns. */
    static String seconds(long ns) {
        return java.math.BigDecimal.valueOf(ns, 9).stripTrailingZeros().toPlainString();
    }
}

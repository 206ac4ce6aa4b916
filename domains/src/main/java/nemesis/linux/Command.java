package nemesis.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command (ip, kill, sysctl...) to completion and captures what it printed (stdout
 * and stderr together). Configuration commands only: nothing here sends traffic.
 */
public final class Command {
    /** How long a configuration command may take before it is killed. */
    public static final long TIMEOUT_MS = 10_000;

    private Command() {
    }

    /** A finished command: its exit code and output. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an {@link IOException} naming the command, its exit code and what it printed. */
        public Result check() throws IOException {
            if (exitCode != 0) {
                throw new IOException("'" + String.join(" ", command) + "' failed (exit " + exitCode + ")"
                        + (output.isBlank() ? "" : ": " + output.strip()));
            }
            return this;
        }
    }

    /** Runs {@code command} and waits for it (at most {@link #TIMEOUT_MS}). */
    public static Result run(List<String> command) throws IOException {
        return run(command, TIMEOUT_MS);
    }

    public static Result run(List<String> command, long timeoutMs) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread drain = Thread.ofPlatform().daemon().name("command-output").start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.SECONDS);
                throw new IOException("'" + String.join(" ", command) + "' did not finish in " + timeoutMs + " ms");
            }
            drain.join(2_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        return new Result(List.copyOf(command), p.exitValue(), text);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException e) {
            // the process went away: what it printed so far is what there is
        }
    }

    /** Whether {@code program} is an executable on the PATH. */
    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) {
            path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}

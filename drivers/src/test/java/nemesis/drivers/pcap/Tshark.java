package nemesis.drivers.pcap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code tshark} for tests; tests that need it are skipped (not failed) when it is missing. */
public final class Tshark {
    private static final Path EXECUTABLE = find();

    private Tshark() {
    }

    /** Skips the calling test with a message saying how to get tshark. */
    public static void assumeAvailable() {
        assumeTrue(EXECUTABLE != null,
                "tshark not on PATH: pcap checks with tshark skipped (install it with scripts/install-test-tools.sh, as root)");
    }

    /** Runs tshark with {@code args}; returns its standard output lines. Fails on a non-zero exit. */
    public static List<String> run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(EXECUTABLE.toString());
        cmd.add("-n"); // no name resolution: no DNS, no surprises
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("tshark", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tshark timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IOException("tshark exit " + p.exitValue() + ": " + cmd + "\n" + Files.readString(err));
            }
            String s = new String(out, StandardCharsets.UTF_8);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static Path find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "tshark");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}

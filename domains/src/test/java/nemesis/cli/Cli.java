package nemesis.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the command line in-process and captures what it prints. */
record Cli(int exit, String out, String err) {

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code = Main.execute(args, o, e);
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The repository root (tests run in a module directory). */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path example(String name) {
        return root().resolve("examples").resolve(name);
    }

    /** A number from the results JSON by a path of keys, e.g. {@code domains.video.cpu.share}. */
    static double number(String json, String path) {
        String[] keys = path.split("\\.");
        int from = 0;
        for (int i = 0; i < keys.length - 1; i++) {
            from = json.indexOf("\"" + keys[i] + "\": {", from);
            if (from < 0) {
                throw new AssertionError("no " + keys[i] + " in " + path);
            }
        }
        Matcher m = Pattern.compile("\"" + Pattern.quote(keys[keys.length - 1]) + "\": (-?[0-9.eE+]+)")
                .matcher(json);
        if (!m.find(from)) {
            throw new AssertionError("no " + path + " in results");
        }
        return Double.parseDouble(m.group(1));
    }

    static String string(String json, String path) {
        String[] keys = path.split("\\.");
        int from = 0;
        for (int i = 0; i < keys.length - 1; i++) {
            from = json.indexOf("\"" + keys[i] + "\": {", from);
        }
        Matcher m = Pattern.compile("\"" + Pattern.quote(keys[keys.length - 1]) + "\": \"([^\"]*)\"").matcher(json);
        if (!m.find(Math.max(0, from))) {
            throw new AssertionError("no " + path + " in results");
        }
        return m.group(1);
    }

}

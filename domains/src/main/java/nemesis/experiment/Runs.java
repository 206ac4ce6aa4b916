package nemesis.experiment;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import nemesis.drivers.pcap.PcapReader;
import nemesis.run.ScenarioRunner;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioParser;

/** Runs the scenarios of an experiment: each is written to a file first, so it can be run again by hand. */
final class Runs {
    /** The Nemesis host's address in every scenario with a network. */
    static final int HOST_IP = nemesis.run.Network.HOST_IP;
    private final Path dir;
    private final PrintStream progress;
    private final Experiment.Receiver receiver;

    Runs(Path dir, PrintStream progress, Experiment.Receiver receiver) throws java.io.IOException {
        this.dir = dir;
        this.progress = progress;
        this.receiver = receiver;
        Files.createDirectories(dir);
    }

    /** The emulated host's address in this experiment's captures. */
    int hostIp() {
        return receiver == Experiment.Receiver.TAP ? nemesis.run.Network.TAP_HOST_IP : HOST_IP;
    }

    /** The receiver, as figures' annotations name it. */
    String receiverLabel() {
        return receiver == Experiment.Receiver.TAP ? "this machine's Linux over a TAP in real time" : "Linux receiver";
    }

    /**
     * A {@link #de4x5} scenario with the real Linux instead of the simulated one: wall-clock time,
     * {@code peer.kind: tap}, and no link delay (the real kernel's is what it is).
     */
    static String onTap(String yaml) {
        String[][] edits = {{"\nseed: 1\n", "\nseed: 1\nclock: real\n"}, {", delay: 50us", ""},
                {"\npeer:\n  profile: linux\n", "\npeer:\n  kind: tap\n"}};
        for (String[] e : edits) {
            if (!yaml.contains(e[0])) {
                throw new IllegalStateException("not a scenario with a simulated Linux receiver: no '" + e[0].strip() + "'");
            }
            yaml = yaml.replace(e[0], e[1]);
        }
        return yaml;
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code yaml} as {@code NAME.yaml} (PCAP in it becomes NAME.pcap) and runs it. */
    ScenarioRunner.Outcome run(String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        if (receiver == Experiment.Receiver.TAP) {
            yaml = onTap(yaml);
        }
        Files.writeString(file, yaml.replace("PCAP", dir.resolve(name + ".pcap").toString()), StandardCharsets.UTF_8);
        Scenario s = ScenarioParser.parse(file);
        long t0 = System.nanoTime();
        ScenarioRunner.Outcome o = ScenarioRunner.run(s, new ScenarioRunner.Options(dir, false, null, null, null));
        if (progress != null) {
            progress.printf(Locale.ROOT, "  ran %-28s %6.2f s wall%n", file.getFileName(), (System.nanoTime() - t0) / 1e9);
        }
        return o;
    }

    Path pcap(String name) {
        return dir.resolve(name + ".pcap");
    }

    /** A domain's figure from the results, e.g. {@code goodput_bps}. */
    @SuppressWarnings("unchecked")
    static double domain(ScenarioRunner.Outcome o, String domain, String... path) {
        Object v = ((Map<String, Object>) o.results().get("domains")).get(domain);
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return ((Number) v).doubleValue();
    }

    /** The source port of the first SYN from {@code hostIp} to {@code dstPort} in a capture, or -1. */
    static int senderPort(Path pcap, int hostIp, int dstPort) throws java.io.IOException {
        return nemesis.report.Pcaps.senderPort(PcapReader.read(pcap), hostIp, dstPort);
    }

    /** The fraction of the whole run the CPU was idle. */
    static double idle(ScenarioRunner.Outcome o) {
        return (double) o.kernel().idleNs() / o.scenario().durationNs();
    }

    /** An insertion-ordered map of key, value, key, value...: JSON output must not depend on hash order. */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /**
     * The top of a scenario on the paper's CPU + transmit machine: the P200 with the de4x5 at
     * 100 Mb/s, a Linux receiver with a verifying tcp_sink on each of {@code sinkPorts}; the caller
     * appends the {@code domains} list. {@code comment} lines become YAML comments; {@code extra}
     * (e.g. an admission section) goes in as it is; with {@code pcap} the wire is captured.
     */
    static String de4x5(String comment, String name, String duration, String warmup, String extra, boolean pcap,
                        int... sinkPorts) {
        StringBuilder y = new StringBuilder();
        for (String line : comment.split("\n")) {
            y.append("# ").append(line).append('\n');
        }
        y.append("name: ").append(name).append('\n')
                .append("seed: 1\n")
                .append("duration: ").append(duration).append('\n')
                .append("warmup: ").append(warmup).append('\n')
                .append("machine: p200-de4x5\n")
                .append(extra)
                .append("link: { rate: 100Mbit/s, delay: 50us").append(pcap ? ", pcap: PCAP" : "").append(" }\n")
                .append("peer:\n  profile: linux\n  services:\n");
        for (int port : sinkPorts) {
            y.append("    - { program: tcp_sink, port: ").append(port).append(", verify: pattern }\n");
        }
        return y.append("domains:\n").toString();
    }
}

package nemesis.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import nemesis.scenario.Scenario;
import nemesis.scenario.ScenarioException;
import nemesis.scenario.ScenarioParser;

/**
 * Before a wall-clock run, a short run in virtual time through the same code: TCP both ways over
 * a faulty wire, UDP, ICMP, on the scenario's machine. In real time the emulator's own Java time
 * counts as the domains' CPU time wherever it exceeds the model, and a cold JVM (classes loading,
 * code interpreted) is far slower than the model for the first few hundred packets: without this,
 * a real-time run's first connection took ~50 ms instead of ~5 ms (measured over the TAP). It
 * costs ~0.2 s of wall time; nothing of it is kept.
 */
final class RealTimeWarmup {
    private static final String SCENARIO = """
            name: warmup
            clock: virtual
            duration: 400ms
            machine: MACHINE
            link:
              rate: 100Mbit/s
              faults: { loss: 2%, duplicate: 1%, reorder: 2%, corrupt: 1% }
            peer:
              profile: linux
              services:
                - { program: tcp_sink, port: 5001, verify: pattern }
                - { program: tcp_send, port: 6001, bytes: 2MB, start: 20ms }
                - { program: udp_sink, port: 5002, verify: pattern }
                - { program: udp_echo, port: 7 }
            domains:
              - name: tx
                program: tcp_send
                args: { to: "peer:5001" }
                cpu: { period: 10ms, slice: 2ms, extra: true }
                tx: { period: 1ms, slice: 300us, extra: true }
              - name: rx
                program: tcp_sink
                args: { port: 6001, verify: pattern }
                cpu: { period: 10ms, slice: 2ms, extra: true }
              - name: udp
                program: udp_send
                args: { to: "peer:5002", rate: 5Mbit/s }
                cpu: { period: 10ms, slice: 1ms, extra: true }
                tx: { period: 10ms, slice: 1ms, extra: true }
              - name: pinger
                program: ping
                args: { to: peer, count: 20, interval: 10ms }
                cpu: { period: 10ms, slice: 500us, extra: true }
            """;

    private RealTimeWarmup() {
    }

    /** Runs the warm-up on {@code machine}; a failure here only means a cold start, so it is not fatal. */
    static void run(String machine) {
        try {
            runOnce(machine);
        } catch (IOException | ScenarioException | RuntimeException e) {
            // a cold start is slower at first, nothing worse
        }
    }

    /** The warm-up run itself, failures thrown (for tests). */
    static ScenarioRunner.Outcome runOnce(String machine) throws IOException, ScenarioException {
        Path file = Files.createTempFile("nemesis-warmup", ".yaml");
        try {
            Files.writeString(file, SCENARIO.replace("MACHINE", machine), StandardCharsets.UTF_8);
            Scenario s = ScenarioParser.parse(file);
            return ScenarioRunner.run(s, new ScenarioRunner.Options(null, false, null, null, null));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package nemesis.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nemesis.atropos.Atropos;
import nemesis.atropos.Qos;
import nemesis.programs.ArgSpec;
import nemesis.programs.ArgType;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioParserTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml, StandardCharsets.UTF_8);
    }

    private Scenario parse(String yaml) throws Exception {
        return ScenarioParser.parse(write("scen.yaml", yaml));
    }

    private List<ScenarioError> errors(String yaml) throws IOException {
        return errors(yaml, null);
    }

    private List<ScenarioError> errors(String yaml, Long durationOverride) throws IOException {
        Path file = write("scen.yaml", yaml);
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse(file, durationOverride));
        assertFalse(e.errors().isEmpty());
        return e.errors();
    }

    /** The only error, checked for line, field and a part of the message. */
    private static ScenarioError only(List<ScenarioError> errors, int line, String field, String message) {
        assertEquals(1, errors.size(), () -> "expected one error, got:\n" + join(errors));
        return has(errors, line, field, message);
    }

    private static ScenarioError has(List<ScenarioError> errors, int line, String field, String message) {
        for (ScenarioError e : errors) {
            if (e.line() == line && java.util.Objects.equals(e.field(), field) && e.message().contains(message)) {
                return e;
            }
        }
        return fail("no error " + line + ": " + field + ": ..." + message + "... in:\n" + join(errors));
    }

    private static String join(List<ScenarioError> errors) {
        return String.join("\n", errors.stream().map(ScenarioError::toString).toList());
    }

    @Test
    void readsEveryFieldOfAFullFile() throws Exception {
        Scenario s = parse("""
                name: demo
                seed: 42
                clock: real
                duration: 20s
                warmup: 2s
                machine: p200-3c509
                admission: { cpu: 90% }
                domains:
                  - name: rt
                    program: periodic
                    args: { work: 1ms, every: 10ms }
                    start: 1s
                    stop: 15s
                    cpu: { period: 10ms, slice: 2ms, extra: true, latency: 5ms }
                    changes:
                      - at: 5s
                        cpu: { period: 20ms, slice: 3ms }
                      - { at: 6.5s, cpu: { period: 1ms, slice: 0, extra: true } }
                  - name: hog
                    program: carnage
                    args: { step: 50us }
                    cpu:
                      period: 20ms
                      slice: 14ms
                """);
        assertEquals("demo", s.name());
        assertEquals(42, s.seed());
        assertEquals(Scenario.ClockKind.REAL, s.clock());
        assertEquals(20 * S, s.durationNs());
        assertEquals(2 * S, s.warmupNs());
        assertEquals("p200-3c509", s.machine());
        assertEquals(900_000_000L, s.cpuCapPpb());
        assertEquals(dir.resolve("scen.yaml"), s.file());
        assertEquals(2, s.domains().size());

        DomainSpec rt = s.domains().get(0);
        assertEquals("rt", rt.name());
        assertEquals("periodic", rt.program());
        assertEquals(Map.of("work", 1 * MS, "every", 10 * MS), rt.args().asMap());
        assertEquals(1 * S, rt.startNs());
        assertEquals(15 * S, rt.stopNs());
        assertEquals(new Qos(10 * MS, 2 * MS, 5 * MS, true), rt.cpu());
        assertEquals(List.of(
                new DomainSpec.QosChange(5 * S, new Qos(20 * MS, 3 * MS, 20 * MS, false)),
                new DomainSpec.QosChange(6_500 * MS, new Qos(1 * MS, 0, 1 * MS, true))), rt.changes());

        DomainSpec hog = s.domains().get(1);
        assertEquals("hog", hog.name());
        assertEquals("carnage", hog.program());
        assertEquals(50_000L, hog.args().getLong("step"));
        assertEquals(new Qos(20 * MS, 14 * MS, 20 * MS, false), hog.cpu());
        assertEquals(0, hog.startNs());
        assertNull(hog.stopNs());
        assertTrue(hog.changes().isEmpty());
    }

    @Test
    void fillsDefaults() throws Exception {
        Scenario s = ScenarioParser.parse(write("tiny.yml", """
                duration: 1s
                domains:
                  - { name: a, program: carnage }
                """));
        assertEquals("tiny", s.name());
        assertEquals(1, s.seed());
        assertEquals(Scenario.ClockKind.VIRTUAL, s.clock());
        assertEquals(0, s.warmupNs());
        assertEquals("p200-de4x5", s.machine());
        assertEquals(Atropos.DEFAULT_CAP_PPB, s.cpuCapPpb());
        DomainSpec a = s.domains().get(0);
        assertEquals(new Qos(10 * MS, 0, 10 * MS, true), a.cpu());
        assertEquals(0, a.startNs());
        assertNull(a.stopNs());
        assertTrue(a.changes().isEmpty());
        assertEquals(Map.of("step", 100_000L), a.args().asMap(), "defaults from the program's ArgSpecs");
    }

    @Test
    void aCpuWithoutExtraOrLatencyHasNoExtraTimeAndLatencyEqualToPeriod() throws Exception {
        Scenario s = parse("""
                duration: 1s
                domains:
                  - { name: a, program: idle, cpu: { period: 7ms, slice: 0 } }
                """);
        assertEquals(new Qos(7 * MS, 0, 7 * MS, false), s.domains().get(0).cpu());
    }

    @Nested
    class Duration {
        @Test
        void isRequiredWithoutOverride() throws IOException {
            only(errors("domains: [{ name: a, program: carnage }]\n"), 1, "duration",
                    "missing (give it in the file or with --duration)");
            assertEquals("scen.yaml:1: duration: missing (give it in the file or with --duration)",
                    errors("domains: [{ name: a, program: carnage }]\n").get(0).toString()
                            .replace(dir.toString() + "/", ""));
        }

        @Test
        void theOverrideReplacesOrSuppliesIt() throws Exception {
            Path noDuration = write("a.yaml", "domains: [{ name: a, program: carnage }]\n");
            assertEquals(5 * S, ScenarioParser.parse(noDuration, 5 * S).durationNs());
            Path withDuration = write("b.yaml", "duration: 1s\ndomains: [{ name: a, program: carnage }]\n");
            assertEquals(3 * S, ScenarioParser.parse(withDuration, 3 * S).durationNs());
        }

        @Test
        void warmupMustBeLessThanDuration() throws IOException {
            only(errors("""
                    duration: 2s
                    warmup: 2s
                    domains: [{ name: a, program: carnage }]
                    """), 2, "warmup", "warmup 2s must be less than the duration 2s");
            only(errors("""
                    duration: 10s
                    warmup: 2s
                    domains: [{ name: a, program: carnage }]
                    """, 1 * S), 2, "warmup", "less than the duration 1s (--duration)");
        }

        @Test
        void zeroIsRefused() throws IOException {
            only(errors("duration: 0\ndomains: [{ name: a, program: carnage }]\n"), 1, "duration", "greater than 0");
        }
    }

    @Test
    void badClockValue() throws IOException {
        only(errors("duration: 1s\nclock: fast\ndomains: [{ name: a, program: carnage }]\n"),
                2, "clock", "'fast' is not a clock (expected virtual or real)");
    }

    @Test
    void unknownMachineListsTheKnownOnes() throws IOException {
        only(errors("duration: 1s\nmachine: vax\ndomains: [{ name: a, program: carnage }]\n"),
                2, "machine", "unknown machine 'vax' (known: p200-de4x5, p200-3c509, ideal)");
    }

    @Test
    void admissionCapMustBeAboveZeroAndAtMostAll() throws IOException {
        only(errors("duration: 1s\nadmission: { cpu: 0% }\ndomains: [{ name: a, program: carnage }]\n"),
                2, "admission.cpu", "greater than 0%");
        only(errors("duration: 1s\nadmission: { cpu: 120% }\ndomains: [{ name: a, program: carnage }]\n"),
                2, "admission.cpu", "more than 100%");
    }

    @Nested
    class FileProblems {
        @Test
        void yamlSyntaxErrorNamesTheLine() throws IOException {
            ScenarioError e = only(errors("""
                    duration: 1s
                    domains:
                      - name: a
                        program: [carnage
                      - name: b
                    """), 5, null, "invalid YAML");
            assertTrue(e.toString().matches(".*scen\\.yaml:5: invalid YAML: .*"), e.toString());
            only(errors("duration: 1s\nclock: virtual: yes\n"), 2, null, "mapping values are not allowed here");
        }

        @Test
        void emptyFile() throws IOException {
            only(errors(""), 0, null, "the file is empty");
            only(errors("# only a comment\n"), 0, null, "the file is empty");
        }

        @Test
        void missingFile() {
            Path missing = dir.resolve("nope.yaml");
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse(missing));
            only(e.errors(), 0, null, "no such file");
            assertEquals(missing + ": no such file", e.getMessage());
        }

        @Test
        void notUtf8() throws IOException {
            Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xE9});
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse(file));
            only(e.errors(), 0, null, "not UTF-8");
        }

        @Test
        void readsUtf8() throws Exception {
            Scenario s = parse("name: café\nduration: 1s\ndomains: [{ name: a, program: carnage, args: { step: 5µs } }]\n");
            assertEquals("café", s.name());
            assertEquals(5_000L, s.domains().get(0).args().getLong("step"));
        }

        @Test
        void topLevelMustBeAMapping() throws IOException {
            only(errors("- duration: 1s\n"), 1, "", "expected a mapping");
        }
    }

    @Nested
    class Fields {
        @Test
        void unknownFieldsEverywhere() throws IOException {
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    colour: blue
                    domains:
                      - name: a
                        program: carnage
                        priority: 3
                        cpu: { period: 10ms, slice: 1ms, weight: 2 }
                        changes:
                          - { at: 1ms, when: now, cpu: { period: 10ms, slice: 1ms } }
                    """);
            has(errors, 2, "colour",
                    "unknown field 'colour' (expected one of: name, seed, clock, duration, warmup, machine, admission, link, peer, domains)");
            has(errors, 6, "domains[0] (a).priority", "unknown field 'priority' (expected one of: name, program,");
            has(errors, 7, "domains[0] (a).cpu.weight",
                    "unknown field 'weight' (expected one of: period, slice, extra, latency)");
            has(errors, 9, "domains[0] (a).changes[0].when", "unknown field 'when' (expected one of: at, cpu)");
            assertEquals(4, errors.size(), () -> join(errors));
        }

        @Test
        void networkSectionsAreReadInFull() throws Exception {
            Scenario s = parse("""
                    duration: 2s
                    admission: { cpu: 90%, tx: 80% }
                    link:
                      rate: 10Mbit/s
                      delay: 50us
                      overhead: 20
                      faults: { loss: 5%, duplicate: 0.02, reorder: 0, corrupt: 1% }
                      pcap: out/x.pcap
                      driver: { period: 10ms, slice: 300us, extra: true }
                    peer:
                      kind: sim
                      profile: sunos
                      services:
                        - { program: udp_sink, port: 5001, verify: pattern }
                        - { program: udp_echo, port: 7 }
                    domains:
                      - name: s1
                        program: carnage
                        tx: { period: 50ms, slice: 2400us }
                    """);
            LinkSpec l = s.link();
            assertEquals(10_000_000L, l.rateBps());
            assertEquals(50_000L, l.delayNs());
            assertEquals(20, l.overheadBytes());
            assertEquals(0.05, l.loss(), 1e-12);
            assertEquals(0.02, l.duplicate(), 1e-12);
            assertEquals(0.01, l.corrupt(), 1e-12);
            assertEquals(Path.of("out/x.pcap"), l.pcap());
            assertEquals(Qos.of(10_000_000L, 300_000L, true), l.driverCpu());
            assertEquals(800_000_000L, s.txCapPpb());
            assertEquals("sunos", s.peer().profile());
            assertEquals(List.of(new PeerSpec.Service("udp_sink", 5001, "pattern"), new PeerSpec.Service("udp_echo", 7, "none")),
                    s.peer().services());
            assertEquals(Qos.of(50_000_000L, 2_400_000L, false), s.domains().get(0).tx());
        }

        @Test
        void networkMistakes() throws IOException {
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    link: { rate: 0Mbit/s, faults: { loss: 150% } }
                    peer:
                      kind: tap
                      services:
                        - { program: tcp_sink, port: 5001, bytes: 1MB }
                        - { program: udp_sink, port: 99999 }
                        - { program: tcp_push, port: 5002 }
                    domains:
                      - name: s1
                        program: carnage
                        tx: { period: 1ms, slice: 2ms }
                    """);
            has(errors, 2, "link.rate", "greater than 0");
            has(errors, 2, "link.faults.loss", "100%");
            has(errors, 4, "peer.kind", "runs on the wall clock (set clock: real)");
            has(errors, 6, "peer.services[0].bytes", "tcp_sink does not take 'bytes' (it takes: port, verify)");
            has(errors, 7, "peer.services[1].port", "1..65535");
            has(errors, 8, "peer.services[2].program", "unknown service 'tcp_push' (known: tcp_sink, tcp_send, udp_sink, udp_echo, iperf_server, iperf_client, ping, nc_sink, nc_send)");
            has(errors, 12, "domains[0] (s1).tx.slice", "exceeds period");
        }

        @Test
        void aTapPeer() throws Exception {
            Scenario s = parse("""
                    clock: real
                    duration: 5s
                    link: { rate: unlimited, faults: { loss: 5%, reorder: 2% } }
                    peer:
                      kind: tap
                      services:
                        - { program: tcp_sink, port: 5001, verify: pattern }
                        - { program: iperf_server, port: 5002 }
                        - { program: iperf_client, port: 6001, duration: 3s, start: 1s }
                        - { program: ping, count: 5, interval: 200ms }
                        - { program: tcp_send, port: 6002, bytes: 1MB }
                    domains:
                      - { name: r, program: tcp_sink, args: { port: 6001 } }
                    """);
            assertEquals("tap", s.peer().kind());
            assertEquals(0, s.link().rateBps(), "unlimited");
            assertEquals(0.05, s.link().loss(), 1e-12);
            PeerSpec.Service client = s.peer().services().get(2);
            assertEquals("iperf_client", client.program());
            assertEquals(6001, client.port());
            assertEquals(3_000_000_000L, client.durationNs());
            assertEquals(1_000_000_000L, client.startNs());
            PeerSpec.Service ping = s.peer().services().get(3);
            assertEquals(5, ping.count());
            assertEquals(200_000_000L, ping.intervalNs());
            assertEquals(56, ping.size());
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    link: { rate: unlimited, delay: 1ms }
                    peer:
                      kind: tap
                      profile: sunos
                      services:
                        - { program: tcp_push, port: 7 }
                        - { program: tcp_sink, port: 5001, profile: netbsd }
                        - { program: ping, port: 1, interval: 10ms }
                    domains:
                      - { name: a, program: idle }
                    """);
            has(errors, 2, "link.delay", "leave delay out with peer.kind: tap");
            has(errors, 4, "peer.kind", "set clock: real");
            has(errors, 5, "peer.profile", "applies to the simulated peer");
            has(errors, 7, "peer.services[0].program", "unknown service 'tcp_push' (known: "
                    + "tcp_sink, tcp_send, udp_sink, udp_echo, iperf_server, iperf_client, ping, nc_sink, nc_send)");
            has(errors, 8, "peer.services[1].profile", "tcp_sink does not take 'profile' on a TAP peer");
            has(errors, 9, "peer.services[2].port", "ping does not take 'port'");
            has(errors, 9, "peer.services[2].interval", "at least 200ms");
            has(errors("duration: 1s\nlink: { rate: unlimited }\ndomains:\n  - { name: a, program: idle }\n"), 2,
                    "link.rate", "needs peer.kind: tap");
            has(errors("""
                    duration: 1s
                    link: { rate: 10Mbit/s }
                    peer: { services: [ { program: iperf_server, port: 5001 } ] }
                    domains:
                      - { name: a, program: idle }
                    """), 3, "peer.services[0].program", "'iperf_server' is not a service of the simulated peer");
        }

        @Test
        void tcpPeerServices() throws Exception {
            Scenario s = parse("""
                    duration: 1s
                    link: { rate: 10Mbit/s }
                    peer:
                      profile: netbsd
                      services:
                        - { program: tcp_sink, port: 5001, verify: pattern, profile: sunos }
                        - { program: tcp_sink, port: 5002 }
                        - { program: tcp_send, port: 6000, bytes: 1MiB, start: 200ms, pattern: false }
                        - { program: tcp_send, port: 5001 }
                    domains:
                      - { name: r, program: tcp_sink, args: { port: 6000 } }
                    """);
            assertEquals("netbsd", s.peer().profile());
            assertEquals(List.of(new PeerSpec.Service("tcp_sink", 5001, "pattern", "sunos", 0, 0, true),
                    new PeerSpec.Service("tcp_sink", 5002, "none", null, 0, 0, true),
                    new PeerSpec.Service("tcp_send", 6000, "none", null, 1L << 20, 200_000_000L, false),
                    // a sender's port is the Nemesis host's: it may equal a sink's
                    new PeerSpec.Service("tcp_send", 5001, "none", null, 0, 0, true)), s.peer().services());
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    link: { rate: 10Mbit/s }
                    peer:
                      services:
                        - { program: tcp_send, verify: pattern, start: -1s }
                        - { program: tcp_sink, port: 1, profile: vms }
                    domains:
                      - { name: a, program: idle }
                    """);
            has(errors, 5, "peer.services[0].port", "missing (the Nemesis host's port to connect to)");
            has(errors, 5, "peer.services[0].verify", "tcp_send does not take 'verify'");
            has(errors, 5, "peer.services[0].start", "");
            has(errors, 6, "peer.services[1].profile", "unknown profile 'vms' (known: linux, sunos, netbsd)");
        }

        @Test
        void theNetworkNeedsALink() throws IOException {
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    peer: { kind: sim }
                    domains:
                      - name: s1
                        program: udp_send
                        args: { to: "peer:9" }
                        tx: { period: 1ms, slice: 100us }
                    """);
            has(errors, 2, "peer", "needs a link");
            has(errors, 5, "domains[0] (s1).program", "needs a network");
            has(errors, 7, "domains[0] (s1).tx", "needs a network");
        }

        @Test
        void transmitReservationsMustFitTheWire() throws IOException {
            has(errors("""
                    duration: 1s
                    link: { rate: 10Mbit/s }
                    domains:
                      - { name: a, program: carnage, tx: { period: 10ms, slice: 7ms } }
                      - { name: b, program: carnage, tx: { period: 10ms, slice: 4ms } }
                    """), 5, "domains[1] (b).tx", "transmit reservation");
        }

        @Test
        void wrongYamlTypes() throws IOException {
            only(errors("duration: [1s]\ndomains: [{ name: a, program: carnage }]\n"), 1, "duration",
                    "expected a single value, got a list");
            only(errors("duration: 1s\ndomains: { a: carnage }\n"), 2, "domains", "expected a list of domains");
            only(errors("duration: 1s\ndomains: [{ name: a, program: carnage, cpu: [10ms, 1ms] }]\n"), 2,
                    "domains[0] (a).cpu", "expected a mapping (fields written 'key: value'), got a list");
            only(errors("duration: 1s\ndomains: [{ name: a, program: { x: 1 } }]\n"), 2,
                    "domains[0] (a).program", "expected a single value, got a mapping");
            only(errors("duration: 1s\ndomains:\n  - just-a-name\n"), 3, "domains[0]",
                    "expected a mapping (fields written 'key: value'), got the single value 'just-a-name'");
            only(errors("duration:\ndomains: [{ name: a, program: carnage }]\n"), 1, "duration", "no value given");
        }

        @Test
        void anchorsAliasesAndMergeKeys() throws Exception {
            Scenario s = parse("""
                    duration: 1s
                    domains:
                      - { name: a, program: carnage, cpu: &std { period: 10ms, slice: 1ms } }
                      - { name: b, program: carnage, cpu: *std }
                      - { name: c, program: carnage, cpu: { <<: *std, slice: 2ms, extra: true } }
                    """);
            assertEquals(new Qos(10 * MS, 1 * MS, 10 * MS, false), s.domains().get(1).cpu());
            assertEquals(new Qos(10 * MS, 2 * MS, 10 * MS, true), s.domains().get(2).cpu());
            only(errors("duration: 1s\ndomains: [{ name: a, program: carnage, cpu: { <<: 5, period: 1ms, slice: 0 } }]\n"), 2,
                    "domains[0] (a).cpu.<<", "a merge key takes a mapping");
        }

        @Test
        void duplicateKey() throws IOException {
            only(errors("duration: 1s\nduration: 2s\ndomains: [{ name: a, program: carnage }]\n"), 2, "duration",
                    "given twice (first at line 1)");
        }

        @Test
        void noDomains() throws IOException {
            only(errors("duration: 1s\n"), 1, "domains", "missing");
            only(errors("duration: 1s\ndomains: []\n"), 2, "domains", "at least one domain");
        }
    }

    @Nested
    class Domains {
        @Test
        void duplicateNames() throws IOException {
            only(errors("""
                    duration: 1s
                    domains:
                      - { name: hog, program: carnage }
                      - { name: hog, program: idle }
                    """), 4, "domains[1] (hog).name", "'hog' is already the name of domains[0]");
        }

        @Test
        void nameIsRequiredAndPlain() throws IOException {
            only(errors("duration: 1s\ndomains:\n  - program: carnage\n"), 3, "domains[0].name", "missing");
            only(errors("duration: 1s\ndomains:\n  - { name: 'a b', program: carnage }\n"), 3, "domains[0].name",
                    "'a b' is not a valid name");
        }

        @Test
        void unknownProgramListsTheKnownOnes() throws IOException {
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: qsend }\n"), 3, "domains[0] (a).program",
                    "unknown program 'qsend' (known: carnage, periodic, idle, crash, udp_send, udp_sink, ping, tcp_send, tcp_sink)");
        }

        @Test
        void programsCheckTheirArgumentsBeforeAnythingRuns() throws IOException {
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    link: { rate: 10Mbit/s }
                    domains:
                      - { name: a, program: tcp_sink, args: { port: 0 } }
                      - { name: c, program: tcp_send, args: { to: "peer:5001", size: 0 } }
                      - { name: d, program: udp_sink, args: { port: 70000 } }
                    """);
            has(errors, 4, "domains[0] (a).args", "port must be 1..65535: 0");
            has(errors, 5, "domains[1] (c).args", "size must be 1..1048576");
            has(errors, 6, "domains[2] (d).args", "port must be 1..65535: 70000");
        }

        @Test
        void unknownArgument() throws IOException {
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: carnage, args: { x: 1 } }\n"), 3,
                    "domains[0] (a).args.x", "unknown argument 'x' for program carnage (it takes: step)");
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: idle, args: { x: 1 } }\n"), 3,
                    "domains[0] (a).args.x", "unknown argument 'x' for program idle (it takes none)");
        }

        @Test
        void missingRequiredArgument() throws IOException {
            only(errors("""
                    duration: 1s
                    domains:
                      - name: rt
                        program: periodic
                        args: { work: 1ms }
                    """), 5, "domains[0] (rt).args.every", "missing (program periodic needs it:");
            List<ScenarioError> both = errors("duration: 1s\ndomains:\n  - { name: rt, program: periodic }\n");
            has(both, 3, "domains[0] (rt).args.work", "missing");
            has(both, 3, "domains[0] (rt).args.every", "missing");
        }

        @Test
        void badArgumentValue() throws IOException {
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: carnage, args: { step: 10 } }\n"), 3,
                    "domains[0] (a).args.step", "'10' has no unit");
        }

        @Test
        void argumentTypes() {
            assertEquals(10_000_000L, ScenarioParser.argValue(spec(ArgType.RATE), "10Mbit/s"));
            assertEquals(65_536L, ScenarioParser.argValue(spec(ArgType.INTEGER), "64KiB"));
            assertEquals(Boolean.TRUE, ScenarioParser.argValue(spec(ArgType.BOOLEAN), "true"));
            assertEquals("pattern", ScenarioParser.argValue(spec(ArgType.STRING), "pattern"));
            assertEquals("peer:5001", ScenarioParser.argValue(spec(ArgType.ENDPOINT), "peer:5001"));
            assertEquals("10.0.0.2:80", ScenarioParser.argValue(spec(ArgType.ENDPOINT), "10.0.0.2:80"));
            for (String bad : new String[] {"peer", "peer:0", "peer:65536", "host:80", "10.0.0.256:80", "10.0.0:80", ":80"}) {
                assertThrows(IllegalArgumentException.class, () -> ScenarioParser.argValue(spec(ArgType.ENDPOINT), bad), bad);
            }
            assertThrows(IllegalArgumentException.class, () -> ScenarioParser.argValue(spec(ArgType.BOOLEAN), "yes"));
        }

        private static ArgSpec spec(ArgType type) {
            return ArgSpec.optional("x", type, null, "");
        }

        @Test
        void startAndStop() throws IOException {
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: carnage, start: 1s }\n"), 3,
                    "domains[0] (a).start", "start 1s must be before the end of the run (duration 1s)");
            only(errors("duration: 1s\ndomains:\n  - { name: a, program: carnage, start: 5ms, stop: 5ms }\n"), 3,
                    "domains[0] (a).stop", "stop 5ms must be after start 5ms");
        }
    }

    @Nested
    class Cpu {
        private List<ScenarioError> cpu(String cpu) throws IOException {
            return errors("duration: 1s\ndomains:\n  - { name: a, program: carnage, cpu: " + cpu + " }\n");
        }

        @Test
        void sliceAbovePeriod() throws IOException {
            only(cpu("{ period: 10ms, slice: 12ms }"), 3, "domains[0] (a).cpu.slice", "slice 12ms exceeds period 10ms");
        }

        @Test
        void zeroPeriod() throws IOException {
            only(cpu("{ period: 0, slice: 0 }"), 3, "domains[0] (a).cpu.period", "period must be greater than 0");
        }

        @Test
        void zeroLatency() throws IOException {
            only(cpu("{ period: 1ms, slice: 0, latency: 0ms }"), 3, "domains[0] (a).cpu.latency",
                    "latency must be greater than 0");
        }

        @Test
        void negativeValue() throws IOException {
            only(cpu("{ period: 10ms, slice: -1ms }"), 3, "domains[0] (a).cpu.slice", "must not be negative");
            only(errors("duration: 1s\nseed: -4\ndomains: [{ name: a, program: carnage }]\n"), 2, "seed",
                    "must not be negative");
        }

        @Test
        void periodAndSliceAreRequired() throws IOException {
            List<ScenarioError> errors = cpu("{ extra: true }");
            has(errors, 3, "domains[0] (a).cpu.period", "missing");
            has(errors, 3, "domains[0] (a).cpu.slice", "missing");
            assertEquals(2, errors.size());
        }

        @Test
        void extraMustBeABoolean() throws IOException {
            only(cpu("{ period: 1ms, slice: 0, extra: maybe }"), 3, "domains[0] (a).cpu.extra", "not true or false");
        }

        @Test
        void sliceZeroIsValidWithOrWithoutExtra() throws Exception {
            parse("duration: 1s\ndomains:\n  - { name: a, program: carnage, cpu: { period: 1ms, slice: 0, extra: true } }\n"
                    + "  - { name: b, program: carnage, cpu: { period: 1ms, slice: 0, extra: false } }\n");
        }
    }

    @Nested
    class Changes {
        private List<ScenarioError> changes(String changes) throws IOException {
            return errors("duration: 1s\ndomains:\n  - name: a\n    program: carnage\n    start: 100ms\n    stop: 800ms\n"
                    + "    changes:\n" + changes);
        }

        @Test
        void mustBeStrictlyIncreasingAndInsideTheDomainsLife() throws IOException {
            List<ScenarioError> errors = changes("""
                          - { at: 50ms, cpu: { period: 10ms, slice: 1ms } }
                          - { at: 200ms, cpu: { period: 10ms, slice: 1ms } }
                          - { at: 200ms, cpu: { period: 10ms, slice: 1ms } }
                          - { at: 800ms, cpu: { period: 10ms, slice: 1ms } }
                          - { at: 1s, cpu: { period: 10ms, slice: 1ms } }
                    """);
            has(errors, 8, "domains[0] (a).changes[0].at", "at 50ms is before the domain's start 100ms");
            has(errors, 10, "domains[0] (a).changes[2].at", "must be after the previous change (at 200ms)");
            has(errors, 11, "domains[0] (a).changes[3].at", "is not before the domain's stop 800ms");
            has(errors, 12, "domains[0] (a).changes[4].at", "is not before the end of the run (duration 1s)");
            assertEquals(4, errors.size(), () -> join(errors));
        }

        @Test
        void needAtAndCpu() throws IOException {
            List<ScenarioError> errors = changes("      - { at: 200ms }\n      - { cpu: { period: 1ms, slice: 0 } }\n");
            has(errors, 8, "domains[0] (a).changes[0].cpu", "missing");
            has(errors, 9, "domains[0] (a).changes[1].at", "missing");
            only(changes("      - { at: 200ms, cpu: { period: 1ms, slice: 2ms } }\n"), 8,
                    "domains[0] (a).changes[0].cpu.slice", "slice 2ms exceeds period 1ms");
        }
    }

    @Nested
    class Admission {
        @Test
        void overSubscriptionNamesTheDomainAndWhatIsFree() throws IOException {
            List<ScenarioError> errors = errors("""
                    duration: 1s
                    domains:
                      - name: video
                        program: carnage
                        cpu: { period: 100ms, slice: 63ms }
                      - name: hog
                        program: carnage
                        cpu: { period: 20ms, slice: 14ms }
                    """);
            ScenarioError e = only(errors, 8, "domains[1] (hog).cpu",
                    "reservation of 14ms per 20ms (70.0%) does not fit: 35.0% free of the 98.0% cap (63.0% reserved)");
            assertEquals(dir.resolve("scen.yaml") + ":8: domains[1] (hog).cpu: reservation of 14ms per 20ms (70.0%) "
                    + "does not fit: 35.0% free of the 98.0% cap (63.0% reserved)", e.toString());
        }

        @Test
        void theCapIsTheFilesOwn() throws Exception {
            String yaml = """
                    duration: 1s
                    admission: { cpu: %s }
                    domains:
                      - { name: a, program: carnage, cpu: { period: 10ms, slice: 5ms } }
                      - { name: b, program: carnage, cpu: { period: 10ms, slice: 5ms } }
                    """;
            parse(yaml.formatted("100%"));
            only(errors(yaml.formatted("99%")), 5, "domains[1] (b).cpu", "49.0% free of the 99.0% cap");
        }

        @Test
        void aDomainThatStopsFreesItsShareForOneStartingThen() throws Exception {
            String yaml = """
                    duration: 10s
                    domains:
                      - { name: first, program: carnage, stop: 5s, cpu: { period: 10ms, slice: 6ms } }
                      - { name: second, program: carnage, start: %s, cpu: { period: 10ms, slice: 6ms } }
                    """;
            Scenario s = parse(yaml.formatted("5s"));
            assertEquals(5 * S, s.domains().get(1).startNs());
            parse(yaml.formatted("7s"));
            only(errors(yaml.formatted("4999999us")), 4, "domains[1] (second).cpu",
                    "at 4.999999s: reservation of 6ms per 10ms (60.0%) does not fit: 38.0% free");
        }

        @Test
        void changesAreAdmittedInTimeOrder() throws Exception {
            String yaml = """
                    duration: 10s
                    domains:
                      - name: a
                        program: carnage
                        cpu: { period: 10ms, slice: 5ms }
                        changes:
                          - { at: 2s, cpu: { period: 10ms, slice: 1ms } }
                          - { at: 4s, cpu: { period: 10ms, slice: 5ms } }
                      - { name: b, program: carnage, start: %s, stop: %s, cpu: { period: 10ms, slice: 8ms } }
                    """;
            parse(yaml.formatted("2s", "4s"));   // b fits between a's shrink and a's growth
            only(errors(yaml.formatted("2s", "5s")), 8, "domains[0] (a).changes[1].cpu",
                    "at 4s: reservation of 5ms per 10ms (50.0%) does not fit: 18.0% free of the 98.0% cap (80.0% reserved)");
            only(errors(yaml.formatted("1s", "4s")), 9, "domains[1] (b).cpu", "at 1s:");
        }

        @Test
        void aChangeAtTheDomainsStartReplacesItsFirstReservation() throws Exception {
            String yaml = """
                    duration: 1s
                    domains:
                      - { name: a, program: carnage, cpu: { period: 10ms, slice: 5ms } }
                      - name: b
                        program: carnage
                        start: 100ms
                        cpu: { period: 10ms, slice: 9ms }
                        changes: [{ at: 100ms, cpu: { period: 10ms, slice: %s } }]
                    """;
            parse(yaml.formatted("4ms"));
            only(errors(yaml.formatted("5ms")), 8, "domains[1] (b).changes[0].cpu", "48.0% free");
        }

        @Test
        void aMalformedCpuIsReportedOnceAndLeftOutOfAdmission() throws IOException {
            only(errors("""
                    duration: 1s
                    domains:
                      - { name: a, program: carnage, cpu: { period: 10ms, slice: 90s } }
                      - { name: b, program: carnage, cpu: { period: 10ms, slice: 9ms } }
                    """), 3, "domains[0] (a).cpu.slice", "exceeds period");
        }
    }

    @Test
    void reportsEveryErrorTogetherInLineOrder() throws IOException {
        List<ScenarioError> errors = errors("""
                duration: 1s
                clock: fast
                domains:
                  - name: a
                    program: nosuch
                    cpu: { period: 10ms, slice: 12ms }
                  - name: a
                    program: carnage
                    args: { stp: 1ms }
                    tx: { period: 1ms, slice: 1ms }
                """);
        assertEquals(List.of(2, 5, 6, 7, 9, 10), errors.stream().map(ScenarioError::line).toList(), () -> join(errors));
        has(errors, 2, "clock", "not a clock");
        has(errors, 5, "domains[0] (a).program", "unknown program");
        has(errors, 6, "domains[0] (a).cpu.slice", "exceeds period");
        has(errors, 7, "domains[1] (a).name", "already the name of domains[0]");
        has(errors, 9, "domains[1] (a).args.stp", "unknown argument 'stp'");
        has(errors, 10, "domains[1] (a).tx", "needs a network");
    }

    @Test
    void exceptionMessageHasOneErrorPerLine() throws IOException {
        Path file = write("scen.yaml", "duration: 1s\nclock: fast\nseed: x\ndomains: [{ name: a, program: carnage }]\n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse(file));
        assertEquals(file + ":2: clock: 'fast' is not a clock (expected virtual or real)\n"
                + file + ":3: seed: 'x' is not a whole number", e.getMessage());
    }

    @Test
    void errorTextLeavesOutAnUnknownLineAndField() {
        assertEquals("f.yaml:3: a.b: bad", new ScenarioError(Path.of("f.yaml"), 3, "a.b", "bad").toString());
        assertEquals("f.yaml: a.b: bad", new ScenarioError(Path.of("f.yaml"), 0, "a.b", "bad").toString());
        assertEquals("f.yaml:3: bad", new ScenarioError(Path.of("f.yaml"), 3, null, "bad").toString());
    }
}

package nemesis.scenario;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import nemesis.atropos.Atropos;
import nemesis.atropos.Qos;
import nemesis.kernel.MachineProfile;
import nemesis.programs.ArgSpec;
import nemesis.programs.Args;
import nemesis.programs.ProgramInfo;
import nemesis.programs.Programs;
import nemesis.scenario.AdmissionCheck.Source;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads and checks a scenario file (format: {@code docs/scenario.md}). It works on the YAML node
 * tree rather than on plain maps so that every error can name its line, and it goes on after an
 * error to report every problem in the file at once; a value that could not be read is left out
 * of the checks that depend on it, so one mistake is reported once.
 *
 * <p>Last, the CPU reservations are replayed through a real {@link Atropos} in time order
 * ({@link AdmissionCheck}): a file is accepted only if the scheduler will admit every reservation
 * when the run reaches it.
 */
public final class ScenarioParser {
    private static final String NOT_YET = "not yet supported";

    private static final List<String> TOP_FIELDS =
            List.of("name", "seed", "clock", "duration", "warmup", "machine", "admission", "link", "peer", "domains");
    private static final List<String> TOP_LATER = List.of();
    private static final List<String> DOMAIN_FIELDS =
            List.of("name", "program", "args", "start", "stop", "cpu", "tx", "changes");
    private static final List<String> DOMAIN_LATER = List.of();
    private static final List<String> CPU_FIELDS = List.of("period", "slice", "extra", "latency");
    private static final List<String> CHANGE_FIELDS = List.of("at", "cpu");
    private static final List<String> ADMISSION_FIELDS = List.of("cpu", "tx");
    private static final List<String> LINK_FIELDS = List.of("rate", "delay", "overhead", "faults", "pcap", "driver");
    private static final List<String> FAULT_FIELDS = List.of("loss", "duplicate", "reorder", "corrupt");
    private static final List<String> PEER_FIELDS = List.of("kind", "profile", "services");
    private static final List<String> SERVICE_FIELDS =
            List.of("program", "port", "verify", "profile", "bytes", "start", "pattern", "duration", "count",
                    "interval", "size");
    /** Programs the simulated peer can run. */
    private static final List<String> PEER_SERVICES = List.of("udp_sink", "udp_echo", "tcp_sink", "tcp_send");
    /** Programs the Linux side of a TAP peer runs (its own kernel's sockets, or standard tools). */
    private static final List<String> TAP_SERVICES =
            List.of("tcp_sink", "tcp_send", "udp_sink", "udp_echo", "iperf_server", "iperf_client", "ping", "nc_sink",
                    "nc_send");
    /** The fields each service takes besides program (and port, for those that have one). */
    private static final Map<String, List<String>> SERVICE_OPTIONS = Map.of(
            "udp_sink", List.of("verify"),
            "udp_echo", List.of(),
            "tcp_sink", List.of("verify", "profile"),
            "tcp_send", List.of("bytes", "start", "pattern"),
            "iperf_server", List.of(),
            "iperf_client", List.of("duration", "start"),
            "ping", List.of("count", "interval", "size", "start"),
            "nc_sink", List.of("verify"),
            "nc_send", List.of("bytes", "start"));
    /** What `rate: unlimited` (a TAP peer only) charges transmit reservations at. */
    public static final long UNLIMITED_CHARGE_BPS = 10_000_000_000L;
    private static final List<String> PEER_PROFILES = List.of("linux", "sunos", "netbsd");
    /** Transmit reservations may fill the whole wire unless the scenario says otherwise. */
    public static final long DEFAULT_TX_CAP_PPB = 1_000_000_000L;
    /** Domains the emulator adds when there is a network: their names are taken. */
    public static final String DRIVER = "driver";
    public static final String FLOWMAN = "flowman";
    /** The flow manager's CPU reservation. */
    public static final Qos FLOWMAN_CPU = new Qos(10_000_000L, 500_000L, 10_000_000L, true);

    /** The driver domain's reservation when the scenario gives none: the machine's card's driver's. */
    public static Qos defaultDriverCpu(MachineProfile m) {
        long period = m.value("driver.cpu_period_ns", 10_000_000L);
        return new Qos(period, m.value("driver.cpu_slice_ns", 200_000L), m.value("driver.cpu_latency_ns", period), true);
    }

    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** When {@code cpu} is omitted: extra time only, as the Nemesis loader defaults a domain. */
    public static final Qos DEFAULT_CPU = Qos.extraOnly(10_000_000L);
    public static final long DEFAULT_SEED = 1;

    private final Path file;
    private final List<ScenarioError> errors = new ArrayList<>();

    private ScenarioParser(Path file) {
        this.file = file;
    }

    /** Reads {@code file}; its {@code duration} is required. */
    public static Scenario parse(Path file) throws ScenarioException {
        return parse(file, null);
    }

    /**
     * Reads {@code file}; {@code durationOverrideNs} (the command line's {@code --duration}), when
     * not null, replaces the file's duration, which may then be left out. Every check against the
     * duration (warmup, start, changes) uses the duration that will be run.
     */
    public static Scenario parse(Path file, Long durationOverrideNs) throws ScenarioException {
        ScenarioParser parser = new ScenarioParser(file);
        Scenario scenario = parser.read(durationOverrideNs);
        if (!parser.errors.isEmpty()) {
            List<ScenarioError> sorted = new ArrayList<>(parser.errors);
            sorted.sort(Comparator.comparingInt(ScenarioError::line)); // stable: file order within a line
            throw new ScenarioException(sorted);
        }
        return scenario;
    }

    // ------------------------------------------------------------------------------------------
    // The file and the top level
    // ------------------------------------------------------------------------------------------

    private Scenario read(Long durationOverrideNs) {
        Node root = compose();
        if (root == null) {
            return null;
        }
        Section top = section(root, line(root), "", TOP_FIELDS, TOP_LATER);
        if (top == null) {
            return null;
        }

        String name = defaultName();
        if (top.has("name")) {
            name = value(top, "name", text -> {
                if (text.isBlank()) {
                    throw new IllegalArgumentException("must not be empty");
                }
                return text;
            });
        }
        Long seed = top.has("seed") ? value(top, "seed", ScenarioParser::parseSeed) : Long.valueOf(DEFAULT_SEED);
        Scenario.ClockKind clock = top.has("clock")
                ? value(top, "clock", ScenarioParser::parseClock) : Scenario.ClockKind.VIRTUAL;

        Long fileDuration = top.has("duration") ? positive(top, "duration") : null;
        Long duration;
        if (durationOverrideNs != null) {
            duration = durationOverrideNs;
            if (durationOverrideNs <= 0) {
                error(0, "--duration", "must be greater than 0");
                duration = null;
            }
        } else {
            duration = fileDuration;
            if (!top.has("duration")) {
                error(top.line(), "duration", "missing (give it in the file or with --duration)");
            }
        }
        String durationText = duration == null ? null
                : Quantities.formatNs(duration) + (durationOverrideNs != null ? " (--duration)" : "");

        Long warmup = top.has("warmup") ? value(top, "warmup", Quantities::parseDurationNs) : Long.valueOf(0);
        if (warmup != null && duration != null && warmup >= duration) {
            error(top.keyLine("warmup"), "warmup", "warmup " + Quantities.formatNs(warmup)
                    + " must be less than the duration " + durationText);
        }

        String machine = MachineProfile.DEFAULT;
        if (top.has("machine")) {
            machine = value(top, "machine", text -> {
                if (!MachineProfile.exists(text)) {
                    throw new IllegalArgumentException("unknown machine '" + text + "' (known: "
                            + String.join(", ", MachineProfile.BUILT_IN) + ")");
                }
                return text;
            });
        }

        Long capPpb = Atropos.DEFAULT_CAP_PPB;
        Long txCapPpb = DEFAULT_TX_CAP_PPB;
        if (top.has("admission")) {
            Long[] caps = admissionCaps(top);
            capPpb = caps[0];
            txCapPpb = caps[1];
        }
        LinkSpec link = top.has("link") ? link(top) : null;
        PeerSpec peer = top.has("peer") ? peer(top, clock) : null;
        if (top.has("peer") && !top.has("link")) {
            error(top.keyLine("peer"), "peer", "a peer needs a link to reach it: add a 'link' section");
        }
        // From the text, so that a peer with other mistakes still counts as the TAP peer it asks for.
        boolean tapPeer = top.has("peer") && top.get("peer") instanceof MappingNode pm && pm.getValue().stream()
                .anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("kind")
                        && t.getValueNode() instanceof ScalarNode v && v.getValue().equals("tap"));
        if (link != null && link.rateBps() == 0 && !tapPeer) {
            error(top.keyLine("link"), "link.rate", "'unlimited' means as fast as a TAP device takes frames: it needs "
                    + "peer.kind: tap");
        }
        if (link != null && tapPeer && link.delayNs() != 0) {
            error(top.keyLine("link"), "link.delay", "a TAP link has the delay the Linux kernel gives it: leave "
                    + "delay out with peer.kind: tap");
        }

        List<DomainSpec> domains = new ArrayList<>();
        List<AdmissionCheck.Timeline> timelines = new ArrayList<>();
        List<AdmissionCheck.Timeline> txTimelines = new ArrayList<>();
        if (link != null && machine != null) {
            // The driver and the flow manager run from the start: their reservations come first.
            Qos driverCpu = link.driverCpu() != null ? link.driverCpu() : defaultDriverCpu(MachineProfile.load(machine));
            timelines.add(new AdmissionCheck.Timeline(DRIVER, 0, null, driverCpu,
                    new Source("link.driver", top.keyLine("link")), List.of()));
            timelines.add(new AdmissionCheck.Timeline(FLOWMAN, 0, null, FLOWMAN_CPU,
                    new Source("link", top.keyLine("link")), List.of()));
        }
        if (!top.has("domains")) {
            error(top.line(), "domains", "missing (a scenario runs at least one domain)");
        } else {
            domains(top, duration, durationText, domains, timelines, txTimelines, top.has("link"));
        }

        if (capPpb != null) {
            for (AdmissionCheck.Refusal r : AdmissionCheck.check(capPpb, timelines)) {
                error(r.source().line(), r.source().field(), r.message());
            }
        }
        if (txCapPpb != null) {
            for (AdmissionCheck.Refusal r : AdmissionCheck.check(txCapPpb, txTimelines)) {
                error(r.source().line(), r.source().field(), r.message().replace("reservation", "transmit reservation")
                        .replace(" cap ", " cap of the wire "));
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new Scenario(file, name, seed, clock, duration, warmup, machine, capPpb, txCapPpb, link, peer,
                List.copyOf(domains));
    }

    /** The file's YAML tree, or null after reporting why there is none. */
    private Node compose() {
        String text;
        try {
            if (Files.isDirectory(file)) {
                error(0, null, "is a directory, not a scenario file");
                return null;
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            error(0, null, "no such file");
            return null;
        } catch (AccessDeniedException e) {
            error(0, null, "cannot read the file: permission denied");
            return null;
        } catch (CharacterCodingException e) {
            error(0, null, "not UTF-8 text");
            return null;
        } catch (IOException e) {
            error(0, null, "cannot read the file: " + e.getMessage());
            return null;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            String context = e.getContext() == null ? ""
                    : " (" + e.getContext() + e.getContextMark().map(m -> " at line " + (m.getLine() + 1)).orElse("") + ")";
            error(e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0), null,
                    "invalid YAML: " + e.getProblem() + context);
            return null;
        } catch (YamlEngineException e) {
            error(0, null, "invalid YAML: " + e.getMessage());
            return null;
        }
        if (root.isEmpty() || isNull(root.get())) {
            error(0, null, "the file is empty (a scenario needs at least a duration and domains)");
            return null;
        }
        return root.get();
    }

    private String defaultName() {
        String base = file.getFileName() == null ? "scenario" : file.getFileName().toString();
        for (String ext : new String[] {".yaml", ".yml"}) {
            if (base.endsWith(ext) && base.length() > ext.length()) {
                return base.substring(0, base.length() - ext.length());
            }
        }
        return base;
    }

    /** {cpu cap, tx cap}; an element is null after reporting what is wrong with it. */
    private Long[] admissionCaps(Section top) {
        Section adm = section(top.get("admission"), top.keyLine("admission"), "admission", ADMISSION_FIELDS, List.of());
        if (adm == null) {
            return new Long[] {null, null};
        }
        return new Long[] {cap(adm, "cpu", Atropos.DEFAULT_CAP_PPB), cap(adm, "tx", DEFAULT_TX_CAP_PPB)};
    }

    private Long cap(Section adm, String key, long otherwise) {
        if (!adm.has(key)) {
            return otherwise;
        }
        Long cap = value(adm, key, Quantities::parsePpb);
        if (cap != null && cap == 0) {
            error(adm.keyLine(key), "admission." + key, "must be greater than 0%");
            return null;
        }
        return cap;
    }

    // ------------------------------------------------------------------------------------------
    // The network: link and peer
    // ------------------------------------------------------------------------------------------

    private LinkSpec link(Section top) {
        int errorsBefore = errors.size();
        Section l = section(top.get("link"), top.keyLine("link"), "link", LINK_FIELDS, List.of());
        if (l == null) {
            return null;
        }
        Long rate = null;
        if (!l.has("rate")) {
            error(l.line(), "link.rate", "missing (e.g. 10Mbit/s or 100Mbit/s)");
        } else {
            rate = value(l, "rate", text -> text.equals("unlimited") ? Long.valueOf(0) : Quantities.parseRateBps(text));
            if (rate != null && rate == 0 && !"unlimited".equals(l.text("rate"))) {
                error(l.keyLine("rate"), "link.rate", "must be greater than 0");
            }
        }
        Long delay = l.has("delay") ? value(l, "delay", Quantities::parseDurationNs) : Long.valueOf(0);
        Long overhead = l.has("overhead") ? value(l, "overhead", Quantities::parseInteger) : Long.valueOf(24);
        if (overhead != null && overhead > 1_000) {
            error(l.keyLine("overhead"), "link.overhead", "more than 1000 bytes per frame is not Ethernet");
        }
        double[] faults = {0, 0, 0, 0};
        if (l.has("faults")) {
            Section f = section(l.get("faults"), l.keyLine("faults"), "link.faults", FAULT_FIELDS, List.of());
            if (f != null) {
                for (int i = 0; i < FAULT_FIELDS.size(); i++) {
                    String k = FAULT_FIELDS.get(i);
                    if (f.has(k)) {
                        Long ppb = value(f, k, Quantities::parsePpb);
                        faults[i] = ppb == null ? 0 : ppb / 1e9;
                    }
                }
            }
        }
        java.nio.file.Path pcap = l.has("pcap") ? value(l, "pcap", text -> {
            if (text.isBlank()) {
                throw new IllegalArgumentException("must name a file");
            }
            return java.nio.file.Path.of(text);
        }) : null;
        Qos driver = l.has("driver") ? cpuMapping(l, "driver", "link.driver") : null;
        if (errors.size() != errorsBefore) {
            return null;
        }
        return new LinkSpec(rate, delay, overhead.intValue(), faults[0], faults[1], faults[2], faults[3], pcap, driver);
    }

    private PeerSpec peer(Section top, Scenario.ClockKind clock) {
        int errorsBefore = errors.size();
        Section p = section(top.get("peer"), top.keyLine("peer"), "peer", PEER_FIELDS, List.of());
        if (p == null) {
            return null;
        }
        String kind = "sim";
        if (p.has("kind")) {
            kind = value(p, "kind", text -> switch (text) {
                case "sim", "tap" -> text;
                default -> throw new IllegalArgumentException("unknown peer kind '" + text + "' (known: sim, tap)");
            });
        }
        boolean tap = "tap".equals(kind);
        if (tap && clock != Scenario.ClockKind.REAL) {
            error(p.keyLine("kind"), "peer.kind", "a TAP peer is a real Linux kernel: it runs on the wall clock "
                    + "(set clock: real)");
        }
        String profile = "linux";
        if (tap && p.has("profile")) {
            error(p.keyLine("profile"), "peer.profile", "a TAP peer is the Linux kernel itself: profile applies to "
                    + "the simulated peer (kind: sim)");
        } else if (p.has("profile")) {
            profile = value(p, "profile", text -> {
                if (!PEER_PROFILES.contains(text)) {
                    throw new IllegalArgumentException("unknown profile '" + text + "' (known: "
                            + String.join(", ", PEER_PROFILES) + ")");
                }
                return text;
            });
        }
        List<PeerSpec.Service> services = new ArrayList<>();
        if (p.has("services")) {
            Node node = p.get("services");
            if (!(node instanceof SequenceNode seq)) {
                error(p.keyLine("services"), "peer.services",
                        "expected a list of '- { program: udp_sink, port: 5001 }' items, got " + describe(node));
            } else {
                java.util.Set<Integer> portsTaken = new java.util.HashSet<>();
                for (int i = 0; i < seq.getValue().size(); i++) {
                    PeerSpec.Service s = service(seq.getValue().get(i), "peer.services[" + i + "]", portsTaken,
                            tap ? TAP_SERVICES : PEER_SERVICES, tap);
                    if (s != null) {
                        services.add(s);
                    }
                }
            }
        }
        if (errors.size() != errorsBefore) {
            return null;
        }
        return new PeerSpec(kind, profile, List.copyOf(services));
    }

    private PeerSpec.Service service(Node node, String path, java.util.Set<Integer> portsTaken, List<String> known,
                                     boolean tap) {
        int errorsBefore = errors.size();
        Section s = section(node, line(node), path, SERVICE_FIELDS, List.of());
        if (s == null) {
            return null;
        }
        String program = null;
        String peerKind = tap ? "a TAP peer" : "the simulated peer";
        if (!s.has("program")) {
            error(s.line(), path + ".program", "missing (known: " + String.join(", ", known) + ")");
        } else {
            program = value(s, "program", text -> {
                if (!known.contains(text)) {
                    boolean other = (tap ? PEER_SERVICES : TAP_SERVICES).contains(text);
                    throw new IllegalArgumentException((other ? "'" + text + "' is not a service of " + peerKind
                            : "unknown service '" + text + "'") + " (known: " + String.join(", ", known) + ")");
                }
                return text;
            });
        }
        if (program != null) {
            List<String> takes = new ArrayList<>(SERVICE_OPTIONS.get(program));
            if (tap) {
                takes.remove("profile");
            }
            boolean hasPort = !"ping".equals(program);
            for (String f : SERVICE_FIELDS) {
                if (s.has(f) && !f.equals("program") && (!f.equals("port") || !hasPort) && !takes.contains(f)) {
                    String they = (hasPort ? "port" + (takes.isEmpty() ? "" : ", ") : "") + String.join(", ", takes);
                    error(s.keyLine(f), path + "." + f, program + " does not take '" + f + "'"
                            + (f.equals("profile") && tap ? " on a TAP peer" : "") + " (it takes: " + they + ")");
                }
            }
        }
        // A sender's port is the Nemesis host's, where it connects; it takes none of the peer's.
        boolean listens = !"tcp_send".equals(program) && !"iperf_client".equals(program) && !"nc_send".equals(program);
        Long port = null;
        if ("ping".equals(program)) {
            port = 0L;
        } else if (!s.has("port")) {
            error(s.line(), path + ".port", "missing" + (listens ? "" : " (the Nemesis host's port to connect to)"));
        } else {
            port = value(s, "port", text -> {
                long v = Quantities.parseInteger(text);
                if (v < 1 || v > 65535) {
                    throw new IllegalArgumentException("port must be 1..65535: " + text);
                }
                return v;
            });
            if (port != null && listens && !portsTaken.add(port.intValue())) {
                error(s.keyLine("port"), path + ".port", "port " + port + " is used by another service");
            }
        }
        String verify = s.has("verify") ? value(s, "verify", text -> {
            if (!text.equals("pattern") && !text.equals("none")) {
                throw new IllegalArgumentException("'" + text + "' is not pattern or none");
            }
            return text;
        }) : "none";
        String profile = s.has("profile") ? value(s, "profile", text -> {
            if (!PEER_PROFILES.contains(text)) {
                throw new IllegalArgumentException("unknown profile '" + text + "' (known: "
                        + String.join(", ", PEER_PROFILES) + ")");
            }
            return text;
        }) : null;
        Long bytes = s.has("bytes") ? value(s, "bytes", text -> {
            long v = Quantities.parseInteger(text);
            if (v < 0) {
                throw new IllegalArgumentException("must not be negative: " + text);
            }
            return v;
        }) : Long.valueOf(0);
        Long start = s.has("start") ? value(s, "start", text -> {
            long v = Quantities.parseDurationNs(text);
            if (v < 0) {
                throw new IllegalArgumentException("must not be negative: " + text);
            }
            return v;
        }) : Long.valueOf(0);
        Boolean pattern = s.has("pattern") ? value(s, "pattern", ScenarioParser::parseBoolean) : Boolean.TRUE;
        if ("nc_send".equals(program) && bytes != null && bytes == 0) {
            error(s.has("bytes") ? s.keyLine("bytes") : s.line(), path + ".bytes", (s.has("bytes") ? "must be more than 0"
                    : "missing") + " (nc sends a file of that many bytes of the pattern)");
        }
        Long duration = s.has("duration") ? positiveDuration(s, "duration", path) : Long.valueOf(10_000_000_000L);
        Long count = s.has("count") ? value(s, "count", text -> {
            long v = Quantities.parseInteger(text);
            if (v < 1 || v > 1_000_000) {
                throw new IllegalArgumentException("must be 1..1000000: " + text);
            }
            return v;
        }) : Long.valueOf(10);
        Long interval = s.has("interval") ? positiveDuration(s, "interval", path) : Long.valueOf(1_000_000_000L);
        if (interval != null && "ping".equals(program) && interval < 200_000_000L) {
            error(s.keyLine("interval"), path + ".interval", "ping's interval must be at least 200ms (its own limit "
                    + "for users other than root, kept here so runs behave the same anywhere)");
        }
        Long size = s.has("size") ? value(s, "size", text -> {
            long v = Quantities.parseInteger(text);
            if (v < 0 || v > 65507) {
                throw new IllegalArgumentException("must be 0..65507 bytes: " + text);
            }
            return v;
        }) : Long.valueOf(56);
        if (errors.size() != errorsBefore) {
            return null;
        }
        return new PeerSpec.Service(program, port.intValue(), verify, profile, bytes, start, pattern, duration,
                count.intValue(), interval, size.intValue());
    }

    private Long positiveDuration(Section s, String key, String path) {
        Long v = value(s, key, Quantities::parseDurationNs);
        if (v != null && v <= 0) {
            error(s.keyLine(key), path + "." + key, "must be greater than 0");
            return null;
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------
    // Domains
    // ------------------------------------------------------------------------------------------

    private void domains(Section top, Long durationNs, String durationText, List<DomainSpec> specs,
                         List<AdmissionCheck.Timeline> timelines, List<AdmissionCheck.Timeline> txTimelines,
                         boolean hasLink) {
        Node node = top.get("domains");
        if (!(node instanceof SequenceNode seq)) {
            error(top.keyLine("domains"), "domains", "expected a list of domains (one '- name: ...' item each), got "
                    + describe(node));
            return;
        }
        if (seq.getValue().isEmpty()) {
            error(top.keyLine("domains"), "domains", "must list at least one domain");
            return;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            domain(i, seq.getValue().get(i), durationNs, durationText, names, specs, timelines, txTimelines, hasLink);
        }
    }

    private void domain(int index, Node node, Long durationNs, String durationText, Map<String, Integer> names,
                        List<DomainSpec> specs, List<AdmissionCheck.Timeline> timelines,
                        List<AdmissionCheck.Timeline> txTimelines, boolean hasLink) {
        int errorsBefore = errors.size();
        String label = "domains[" + index + "]";
        String guessed = peekName(node);
        if (guessed != null) {
            label += " (" + guessed + ")";
        }
        Section d = section(node, line(node), label, DOMAIN_FIELDS, DOMAIN_LATER);
        if (d == null) {
            return;
        }

        String name = null;
        if (!d.has("name")) {
            error(d.line(), label + ".name", "missing");
        } else {
            name = value(d, "name", text -> {
                if (!DOMAIN_NAME.matcher(text).matches()) {
                    throw new IllegalArgumentException("'" + text + "' is not a valid name (use letters, digits, '_', '.', '-')");
                }
                return text;
            });
            if (name != null && hasLink && (name.equals(DRIVER) || name.equals(FLOWMAN))) {
                error(d.keyLine("name"), label + ".name", "'" + name + "' is the name of a domain the network brings; "
                        + "choose another");
            }
            if (name != null) {
                Integer first = names.putIfAbsent(name, index);
                if (first != null) {
                    error(d.keyLine("name"), label + ".name", "'" + name + "' is already the name of domains[" + first + "]");
                }
            }
        }

        ProgramInfo program = null;
        if (!d.has("program")) {
            error(d.line(), label + ".program", "missing (known programs: " + knownPrograms() + ")");
        } else {
            String programName = value(d, "program", Function.identity());
            if (programName != null) {
                program = Programs.find(programName);
                if (program == null) {
                    error(d.keyLine("program"), label + ".program",
                            "unknown program '" + programName + "' (known: " + knownPrograms() + ")");
                }
            }
        }
        Args args = program == null ? null : args(d, label, program);
        if (args != null) {
            // Each argument parsed; now the program checks them together (a port of 0, a size of 0...),
            // so that nothing fails when the run starts. Making a program has no side effects.
            try {
                program.factory().apply(args);
            } catch (IllegalArgumentException e) {
                error(d.has("args") ? d.keyLine("args") : d.line(), label + ".args", e.getMessage());
            }
        }
        if (program != null && Programs.usesNetwork(program.name()) && !hasLink) {
            error(d.keyLine("program"), label + ".program", "program " + program.name()
                    + " needs a network: add a 'link' section (and a 'peer')");
        }
        Qos tx = null;
        if (d.has("tx")) {
            if (!hasLink) {
                error(d.keyLine("tx"), label + ".tx", "a transmit reservation needs a network: add a 'link' section");
            } else {
                tx = cpuMapping(d, "tx", label + ".tx");
            }
        }

        // Times and reservations: the admission check replays only a domain whose every part is valid.
        int timingErrorsBefore = errors.size();
        Long start = d.has("start") ? value(d, "start", Quantities::parseDurationNs) : Long.valueOf(0);
        if (start != null && durationNs != null && start >= durationNs) {
            error(d.keyLine("start"), label + ".start", "start " + Quantities.formatNs(start)
                    + " must be before the end of the run (duration " + durationText + ")");
        }
        Long stop = null;
        if (d.has("stop")) {
            stop = value(d, "stop", Quantities::parseDurationNs);
            if (stop != null && start != null && stop <= start) {
                error(d.keyLine("stop"), label + ".stop", "stop " + Quantities.formatNs(stop)
                        + " must be after start " + Quantities.formatNs(start));
            }
        }
        Qos cpu = d.has("cpu") ? cpu(d, label + ".cpu") : DEFAULT_CPU;
        List<DomainSpec.QosChange> changes = new ArrayList<>();
        List<AdmissionCheck.Change> changeSources = new ArrayList<>();
        if (d.has("changes")) {
            changes(d, label, start, stop, durationNs, durationText, changes, changeSources);
        }

        if (errors.size() == timingErrorsBefore) {
            Source cpuSource = new Source(label + ".cpu", d.has("cpu") ? d.keyLine("cpu") : d.line());
            timelines.add(new AdmissionCheck.Timeline(name != null ? name : label, start, stop, cpu, cpuSource,
                    changeSources));
            if (tx != null) {
                txTimelines.add(new AdmissionCheck.Timeline(name != null ? name : label, start, stop, tx,
                        new Source(label + ".tx", d.keyLine("tx")), List.of()));
            }
        }
        if (errors.size() == errorsBefore) {
            specs.add(new DomainSpec(name, program.name(), args, cpu, start, stop, List.copyOf(changes), tx));
        }
    }

    /** The domain's name for error labels, if it is written plainly and validly; else null. */
    private static String peekName(Node node) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name")
                        && t.getValueNode() instanceof ScalarNode v && DOMAIN_NAME.matcher(v.getValue()).matches()) {
                    return v.getValue();
                }
            }
        }
        return null;
    }

    private static String knownPrograms() {
        return String.join(", ", Programs.catalog().keySet());
    }

    /** The program's arguments, checked, converted and completed with defaults; null if any is wrong. */
    private Args args(Section d, String label, ProgramInfo program) {
        int errorsBefore = errors.size();
        String path = label + ".args";
        Section given = null;
        if (d.has("args")) {
            List<String> names = program.args().stream().map(ArgSpec::name).toList();
            String takes = names.isEmpty() ? "it takes none" : "it takes: " + String.join(", ", names);
            given = section(d.get("args"), d.keyLine("args"), path, names, List.of(),
                    key -> "unknown argument '" + key + "' for program " + program.name() + " (" + takes + ")");
            if (given == null) {
                return null;
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ArgSpec spec : program.args()) {
            if (given != null && given.has(spec.name())) {
                Object v = value(given, spec.name(), text -> argValue(spec, text));
                if (v != null) {
                    values.put(spec.name(), v);
                }
            } else if (spec.required()) {
                int line = given != null ? d.keyLine("args") : d.line();
                error(line, path + "." + spec.name(), "missing (program " + program.name() + " needs it: "
                        + spec.help() + ")");
            } else if (spec.defaultValue() != null) {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        return errors.size() == errorsBefore ? new Args(values) : null;
    }

    /** {@code text} as the Java value {@link Args} holds for {@code spec}'s type. */
    static Object argValue(ArgSpec spec, String text) {
        return switch (spec.type()) {
            case DURATION -> Quantities.parseDurationNs(text);
            case RATE -> Quantities.parseRateBps(text);
            case INTEGER -> Quantities.parseInteger(text);
            case BOOLEAN -> parseBoolean(text);
            case STRING -> text;
            case ENDPOINT -> parseEndpoint(text);
        };
    }

    /** The {@code cpu} mapping of {@code parent} as a reservation, or null after reporting what is wrong. */
    private Qos cpu(Section parent, String path) {
        return cpuMapping(parent, "cpu", path);
    }

    /** A reservation mapping ({@code cpu}, {@code tx}, {@code driver}: period, slice, extra, latency). */
    private Qos cpuMapping(Section parent, String key, String path) {
        int errorsBefore = errors.size();
        Section c = section(parent.get(key), parent.keyLine(key), path, CPU_FIELDS, List.of());
        if (c == null) {
            return null;
        }
        Long period = required(c, "period", path);
        Long slice = required(c, "slice", path);
        Boolean extra = c.has("extra") ? value(c, "extra", ScenarioParser::parseBoolean) : Boolean.FALSE;
        Long latency = c.has("latency") ? value(c, "latency", Quantities::parseDurationNs) : period;
        if (period != null && period == 0) {
            error(c.keyLine("period"), path + ".period", "period must be greater than 0");
        }
        if (c.has("latency") && latency != null && latency == 0) {
            error(c.keyLine("latency"), path + ".latency", "latency must be greater than 0");
        }
        if (period != null && period > 0 && slice != null && slice > period) {
            error(c.keyLine("slice"), path + ".slice", "slice " + Quantities.formatNs(slice)
                    + " exceeds period " + Quantities.formatNs(period));
        }
        if (errors.size() != errorsBefore) {
            return null;
        }
        return new Qos(period, slice, latency, extra);
    }

    private Long required(Section c, String key, String path) {
        if (!c.has(key)) {
            error(c.line(), path + "." + key, "missing (a reservation needs period and slice)");
            return null;
        }
        return value(c, key, Quantities::parseDurationNs);
    }

    private void changes(Section d, String label, Long start, Long stop, Long durationNs, String durationText,
                         List<DomainSpec.QosChange> changes, List<AdmissionCheck.Change> sources) {
        String path = label + ".changes";
        Node node = d.get("changes");
        if (!(node instanceof SequenceNode seq)) {
            error(d.keyLine("changes"), path, "expected a list of '- { at: TIME, cpu: {...} }' items, got " + describe(node));
            return;
        }
        Long previous = null;
        for (int j = 0; j < seq.getValue().size(); j++) {
            String item = path + "[" + j + "]";
            Section ch = section(seq.getValue().get(j), line(seq.getValue().get(j)), item, CHANGE_FIELDS, List.of());
            if (ch == null) {
                continue;
            }
            Long at = null;
            if (!ch.has("at")) {
                error(ch.line(), item + ".at", "missing");
            } else {
                at = value(ch, "at", Quantities::parseDurationNs);
            }
            if (at != null) {
                String atText = "at " + Quantities.formatNs(at);
                int atLine = ch.keyLine("at");
                if (start != null && at < start) {
                    error(atLine, item + ".at", atText + " is before the domain's start " + Quantities.formatNs(start));
                } else if (durationNs != null && at >= durationNs) {
                    error(atLine, item + ".at", atText + " is not before the end of the run (duration " + durationText + ")");
                } else if (stop != null && at >= stop) {
                    error(atLine, item + ".at", atText + " is not before the domain's stop " + Quantities.formatNs(stop));
                } else if (previous != null && at <= previous) {
                    error(atLine, item + ".at", atText + " must be after the previous change (at "
                            + Quantities.formatNs(previous) + ")");
                }
                previous = at;
            }
            Qos cpu = null;
            if (!ch.has("cpu")) {
                error(ch.line(), item + ".cpu", "missing (the reservation from then on)");
            } else {
                cpu = cpu(ch, item + ".cpu");
            }
            if (at != null && cpu != null) {
                changes.add(new DomainSpec.QosChange(at, cpu));
                sources.add(new AdmissionCheck.Change(at, cpu, new Source(item + ".cpu", ch.keyLine("cpu"))));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Values
    // ------------------------------------------------------------------------------------------

    private static long parseSeed(String text) {
        String t = text.strip();
        if (t.startsWith("-")) {
            throw new IllegalArgumentException("must not be negative (got " + t + ")");
        }
        if (!DIGITS.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + t + "' is not a whole number");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is too large (the most is " + Long.MAX_VALUE + ")");
        }
    }

    private static Scenario.ClockKind parseClock(String text) {
        return switch (text.strip()) {
            case "virtual" -> Scenario.ClockKind.VIRTUAL;
            case "real" -> Scenario.ClockKind.REAL;
            default -> throw new IllegalArgumentException("'" + text + "' is not a clock (expected virtual or real)");
        };
    }

    private static boolean parseBoolean(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("true")) {
            return true;
        }
        if (t.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("'" + t + "' is not true or false");
    }

    /** {@code peer:5001} or {@code 10.0.0.2:5001}. */
    private static String parseEndpoint(String text) {
        String t = text.strip();
        String usage = "'" + t + "' is not HOST:PORT (HOST is peer or an IPv4 address, PORT 1..65535)";
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(usage);
        }
        String host = t.substring(0, colon);
        String port = t.substring(colon + 1);
        if (!host.equals("peer")) {
            var m = IPV4.matcher(host);
            if (!m.matches()) {
                throw new IllegalArgumentException(usage);
            }
            for (int g = 1; g <= 4; g++) {
                if (Integer.parseInt(m.group(g)) > 255) {
                    throw new IllegalArgumentException(usage);
                }
            }
        }
        if (!DIGITS.matcher(port).matches() || port.length() > 5
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(usage);
        }
        return host + ":" + Integer.parseInt(port);
    }

    /** A duration that must be greater than 0, or null after reporting. */
    private Long positive(Section s, String key) {
        Long v = value(s, key, Quantities::parseDurationNs);
        if (v != null && v == 0) {
            error(s.keyLine(key), s.child(key), "must be greater than 0");
            return null;
        }
        return v;
    }

    /**
     * Converts the single value of {@code s.key}; null after reporting what is wrong with it. Errors
     * name the key's line: an empty value's own position is on the next line.
     */
    private <T> T value(Section s, String key, Function<String, T> parse) {
        Node node = s.get(key);
        String field = s.child(key);
        int line = s.keyLine(key);
        if (!(node instanceof ScalarNode scalar)) {
            error(line, field, "expected a single value, got " + describe(node));
            return null;
        }
        if (isNull(scalar)) {
            error(line, field, "no value given");
            return null;
        }
        try {
            return parse.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            error(line, field, e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Mappings
    // ------------------------------------------------------------------------------------------

    /** A YAML mapping's entries by key, after its keys were checked against what it may hold. */
    private static final class Section {
        private final String path;
        private final MappingNode node;
        private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

        Section(String path, MappingNode node) {
            this.path = path;
            this.node = node;
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        Node get(String key) {
            return entries.get(key).getValueNode();
        }

        String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        /** The text of a scalar entry, or null. */
        String text(String key) {
            return has(key) && get(key) instanceof ScalarNode sn ? sn.getValue() : null;
        }

        int line() {
            return ScenarioParser.line(node);
        }

        int keyLine(String key) {
            return ScenarioParser.line(entries.get(key).getKeyNode());
        }
    }

    private Section section(Node node, int line, String path, List<String> allowed, List<String> later) {
        return section(node, line, path, allowed, later,
                key -> "unknown field '" + key + "' (expected one of: " + String.join(", ", allowed) + ")");
    }

    /**
     * Checks that {@code node} is a mapping whose keys are all in {@code allowed}; keys in
     * {@code later} belong to features not built yet and get their own message. Returns the
     * allowed entries, or null after reporting (at {@code line}) that {@code node} is no mapping.
     */
    private Section section(Node node, int line, String path, List<String> allowed, List<String> later,
                            Function<String, String> unknownMessage) {
        if (!(node instanceof MappingNode mapping)) {
            String what = isNull(node) ? "no value given" : "expected a mapping (fields written 'key: value'), got "
                    + describe(node);
            error(line, path, what);
            return null;
        }
        Section s = new Section(path, mapping);
        Map<String, Integer> seen = new HashMap<>(); // key -> line, also for keys refused
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple t : mapping.getValue()) {
            Node keyNode = t.getKeyNode();
            if (!(keyNode instanceof ScalarNode k) || isNull(k)) {
                error(line(keyNode), path, "expected a field name, got " + describe(keyNode));
            } else if (k.getValue().equals("<<") && k.isPlain()) {
                merged.addAll(mergedEntries(t, s.child("<<")));
            } else if (seen.containsKey(k.getValue())) {
                error(line(keyNode), s.child(k.getValue()), "given twice (first at line " + seen.get(k.getValue()) + ")");
            } else {
                seen.put(k.getValue(), line(keyNode));
                addEntry(s, t, k.getValue(), allowed, later, unknownMessage);
            }
        }
        // YAML merge keys: fields written in the mapping itself win, then earlier merged mappings.
        for (NodeTuple t : merged) {
            if (t.getKeyNode() instanceof ScalarNode k && !isNull(k) && !seen.containsKey(k.getValue())) {
                seen.put(k.getValue(), line(k));
                addEntry(s, t, k.getValue(), allowed, later, unknownMessage);
            }
        }
        return s;
    }

    private void addEntry(Section s, NodeTuple t, String key, List<String> allowed, List<String> later,
                          Function<String, String> unknownMessage) {
        int line = line(t.getKeyNode());
        if (later.contains(key)) {
            error(line, s.child(key), NOT_YET);
        } else if (!allowed.contains(key)) {
            error(line, s.child(key), unknownMessage.apply(key));
        } else {
            s.entries.put(key, t);
        }
    }

    /** The entries a merge key ({@code <<: *alias} or {@code <<: [*a, *b]}) brings in. */
    private List<NodeTuple> mergedEntries(NodeTuple merge, String field) {
        Node value = merge.getValueNode();
        List<Node> sources = value instanceof SequenceNode seq ? seq.getValue() : List.of(value);
        List<NodeTuple> entries = new ArrayList<>();
        for (Node source : sources) {
            if (source instanceof MappingNode m) {
                entries.addAll(m.getValue());
            } else {
                error(line(merge.getKeyNode()), field, "a merge key takes a mapping or a list of mappings, got "
                        + describe(source));
            }
        }
        return entries;
    }

    // ------------------------------------------------------------------------------------------

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return isNull(node) ? "nothing" : "the single value '" + ((ScalarNode) node).getValue() + "'";
    }

    /** 1-based line where {@code node} starts, 0 if unknown. */
    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    private void error(int line, String field, String message) {
        errors.add(new ScenarioError(file, line, field, message));
    }
}

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
    private static final String NOT_YET =
            "not yet supported (transmit scheduling and networking come with the network issue)";

    private static final List<String> TOP_FIELDS =
            List.of("name", "seed", "clock", "duration", "warmup", "machine", "admission", "domains");
    private static final List<String> TOP_LATER = List.of("link", "peer");
    private static final List<String> DOMAIN_FIELDS =
            List.of("name", "program", "args", "start", "stop", "cpu", "changes");
    private static final List<String> DOMAIN_LATER = List.of("tx");
    private static final List<String> CPU_FIELDS = List.of("period", "slice", "extra", "latency");
    private static final List<String> CHANGE_FIELDS = List.of("at", "cpu");
    private static final List<String> ADMISSION_FIELDS = List.of("cpu");

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
        if (top.has("admission")) {
            capPpb = admissionCap(top);
        }

        List<DomainSpec> domains = new ArrayList<>();
        List<AdmissionCheck.Timeline> timelines = new ArrayList<>();
        if (!top.has("domains")) {
            error(top.line(), "domains", "missing (a scenario runs at least one domain)");
        } else {
            domains(top, duration, durationText, domains, timelines);
        }

        if (capPpb != null) {
            for (AdmissionCheck.Refusal r : AdmissionCheck.check(capPpb, timelines)) {
                error(r.source().line(), r.source().field(), r.message());
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new Scenario(file, name, seed, clock, duration, warmup, machine, capPpb, List.copyOf(domains));
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

    private Long admissionCap(Section top) {
        Section adm = section(top.get("admission"), top.keyLine("admission"), "admission", ADMISSION_FIELDS, List.of());
        if (adm == null) {
            return null;
        }
        if (!adm.has("cpu")) {
            return Atropos.DEFAULT_CAP_PPB;
        }
        Long cap = value(adm, "cpu", Quantities::parsePpb);
        if (cap != null && cap == 0) {
            error(adm.keyLine("cpu"), "admission.cpu", "must be greater than 0%");
            return null;
        }
        return cap;
    }

    // ------------------------------------------------------------------------------------------
    // Domains
    // ------------------------------------------------------------------------------------------

    private void domains(Section top, Long durationNs, String durationText, List<DomainSpec> specs,
                         List<AdmissionCheck.Timeline> timelines) {
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
            domain(i, seq.getValue().get(i), durationNs, durationText, names, specs, timelines);
        }
    }

    private void domain(int index, Node node, Long durationNs, String durationText, Map<String, Integer> names,
                        List<DomainSpec> specs, List<AdmissionCheck.Timeline> timelines) {
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
        }
        if (errors.size() == errorsBefore) {
            specs.add(new DomainSpec(name, program.name(), args, cpu, start, stop, List.copyOf(changes)));
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
        int errorsBefore = errors.size();
        Section c = section(parent.get("cpu"), parent.keyLine("cpu"), path, CPU_FIELDS, List.of());
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
            error(c.line(), path + "." + key, "missing (a cpu reservation needs period and slice)");
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
